import type { CatalogEvent } from '@ordo/catalog-contract';
import { deciderSpec } from '@ordo/testing';
import { productDecider, evolve, initialState, MAX_PRICE_CENTS, type ProductCommand } from './product';
import { ProductAlreadyExists, ProductNotFound, ProductRuleBroken } from './errors';

const spec = deciderSpec(productDecider);
const sku = 'TEE-1';
const at = '2025-03-01T10:00:00.000Z';
const metadata = { now: at };

const addProduct = (name: string, priceCents: number): ProductCommand => ({ type: 'AddProduct', data: { sku, name, priceCents }, metadata });
const changePrice = (priceCents: number): ProductCommand => ({ type: 'ChangePrice', data: { sku, priceCents }, metadata });

const productAdded = (name: string, priceCents: number): CatalogEvent => ({ type: 'ProductAdded', data: { sku, name, priceCents, at } });
const priceChanged = (priceCents: number, previousPriceCents: number): CatalogEvent => ({
  type: 'PriceChanged',
  data: { sku, priceCents, previousPriceCents, at },
});

describe('catalog: one product', () => {
  describe('AddProduct', () => {
    it('lists a new product', () =>
      spec
        .given([])
        .when(addProduct('T-shirt', 1999))
        .then([productAdded('T-shirt', 1999)]));
    it('lists a free product', () =>
      spec
        .given([])
        .when(addProduct('Sticker', 0))
        .then([productAdded('Sticker', 0)]));
    it('records the name without surrounding blanks', () =>
      spec
        .given([])
        .when(addProduct('  T-shirt ', 1999))
        .then([productAdded('T-shirt', 1999)]));

    it('refuses a sku already listed', () =>
      spec
        .given([productAdded('T-shirt', 1999)])
        .when(addProduct('Other', 5))
        .thenThrows(ProductAlreadyExists, 'product TEE-1 already exists'));

    it('refuses a blank name', () => spec.given([]).when(addProduct('   ', 1999)).thenThrows(ProductRuleBroken, 'the name of TEE-1 must not be blank'));

    it.each([-1, 19.99, MAX_PRICE_CENTS + 1, Number.NaN])('refuses a price of %p cents', (priceCents) =>
      spec
        .given([])
        .when(addProduct('T-shirt', priceCents))
        .thenThrows(ProductRuleBroken, /must be whole cents/),
    );
  });

  describe('ChangePrice', () => {
    it('changes the price, recording the previous one', () =>
      spec
        .given([productAdded('T-shirt', 1999)])
        .when(changePrice(2499))
        .then([priceChanged(2499, 1999)]));

    it('records the previous price as changed before', () =>
      spec
        .given([productAdded('T-shirt', 1999), priceChanged(2499, 1999)])
        .when(changePrice(1499))
        .then([priceChanged(1499, 2499)]));

    it('records nothing when the price is the one it has', () =>
      spec
        .given([productAdded('T-shirt', 1999)])
        .when(changePrice(1999))
        .thenNothing());

    it('refuses a product not listed', () => spec.given([]).when(changePrice(2499)).thenThrows(ProductNotFound, 'product TEE-1 does not exist'));

    it.each([-5, 0.5, MAX_PRICE_CENTS + 1])('refuses a price of %p cents', (priceCents) =>
      spec
        .given([productAdded('T-shirt', 1999)])
        .when(changePrice(priceCents))
        .thenThrows(ProductRuleBroken, /must be whole cents/),
    );
  });

  describe('evolve', () => {
    it('keeps the name and the latest price', () => {
      const history = [productAdded('T-shirt', 1999), priceChanged(2499, 1999), priceChanged(2199, 2499)];
      expect(history.reduce(evolve, initialState())).toEqual({ status: 'listed', sku, name: 'T-shirt', priceCents: 2199 });
    });

    it('starts unlisted', () => expect(initialState()).toEqual({ status: 'unlisted' }));
  });
});
