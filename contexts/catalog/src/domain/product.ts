// One product (stream `product-<sku>`) as a decider: three pure functions.
// Time arrives in the command's metadata; nothing here reads a clock. A request's bounds
// (a name that is not blank, a price in whole cents up to the most catalog takes) are the
// HTTP schema's (http.ts); what is left here is what only the product's history can
// decide: whether it is listed, and whether its price changes.
import type { AddProduct, CatalogEvent, ChangePrice } from '@ordo/catalog-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { ProductAlreadyExists, ProductNotFound } from './errors';

export type ProductCommand = Command<'AddProduct', AddProduct> | Command<'ChangePrice', ChangePrice>;

export type Product = { status: 'unlisted' } | { status: 'listed'; sku: string; name: string; priceCents: number };

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

export const decide = (command: ProductCommand, state: Product): CatalogEvent[] => {
  const at = command.metadata.now;
  switch (command.type) {
    case 'AddProduct': {
      const { sku, name, priceCents } = command.data;
      if (state.status === 'listed') throw new ProductAlreadyExists(sku);
      return [{ type: 'ProductAdded', data: { sku, name, priceCents, at } }];
    }
    case 'ChangePrice': {
      const { sku, priceCents } = command.data;
      if (state.status !== 'listed') throw new ProductNotFound(sku);
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
