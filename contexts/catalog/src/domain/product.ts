// One product (stream `product-<sku>`) as a decider: three pure functions.
// Time arrives in the command's metadata; nothing here reads a clock.
import type { AddProduct, CatalogEvent, ChangePrice } from '@ordo/catalog-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { ProductAlreadyExists, ProductNotFound, ProductRuleBroken } from './errors';

export type ProductCommand = Command<'AddProduct', AddProduct> | Command<'ChangePrice', ChangePrice>;

export type Product = { status: 'unlisted' } | { status: 'listed'; sku: string; name: string; priceCents: number };

/** Prices stay exact integers, far from where sums of them would lose precision. */
export const MAX_PRICE_CENTS = 1_000_000_000;

export const initialState = (): Product => ({ status: 'unlisted' });

export const evolve = (state: Product, event: CatalogEvent): Product => {
  switch (event.type) {
    case 'ProductAdded': {
      const { sku, name, priceCents } = event.data;
      return { status: 'listed', sku, name, priceCents };
    }
    case 'PriceChanged':
      // A price change only follows ProductAdded in a product's stream.
      return state.status === 'listed' ? { ...state, priceCents: event.data.priceCents } : state;
    default: {
      const unknown: never = event;
      throw new Error(`unknown catalog event ${JSON.stringify(unknown)}`);
    }
  }
};

const checkPrice = (sku: string, priceCents: number) => {
  if (!Number.isSafeInteger(priceCents) || priceCents < 0 || priceCents > MAX_PRICE_CENTS) {
    throw new ProductRuleBroken(`the price of ${sku} must be whole cents from 0 to ${MAX_PRICE_CENTS}, not ${priceCents}`);
  }
};

export const decide = (command: ProductCommand, state: Product): CatalogEvent[] => {
  const at = command.metadata.now;
  switch (command.type) {
    case 'AddProduct': {
      const { sku, priceCents } = command.data;
      if (state.status === 'listed') throw new ProductAlreadyExists(sku);
      const name = command.data.name.trim();
      if (name.length === 0) throw new ProductRuleBroken(`the name of ${sku} must not be blank`);
      checkPrice(sku, priceCents);
      return [{ type: 'ProductAdded', data: { sku, name, priceCents, at } }];
    }
    case 'ChangePrice': {
      const { sku, priceCents } = command.data;
      if (state.status !== 'listed') throw new ProductNotFound(sku);
      checkPrice(sku, priceCents);
      // The price it already has: nothing changed, so nothing is recorded.
      if (priceCents === state.priceCents) return [];
      return [{ type: 'PriceChanged', data: { sku, priceCents, previousPriceCents: state.priceCents, at } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown catalog command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The decider as one value, for the command handler and the test kit. */
export const productDecider: Decider<Product, ProductCommand, CatalogEvent> = { initialState, evolve, decide };
