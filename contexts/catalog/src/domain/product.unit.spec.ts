import type { CatalogEvent } from '@ordo/catalog-contract';
import { deciderSpec } from '@ordo/testing';
import { productDecider, evolve, initialState, type ProductCommand } from './product';
import { ProductAlreadyExists, ProductNotFound } from './errors';

const spec = deciderSpec(productDecider);
const sku = 'TEE-1';
const at = '2025-03-01T10:00:00.000Z';
const metadata = { now: at };
// Commands as the HTTP edge hands them over: a blank name or a price out of bounds never
// gets here (service.int.spec.ts proves the edge refuses them), so the decider is not asked.

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

    it('refuses a sku already listed', () =>
      spec
        .given([productAdded('T-shirt', 1999)])
        .when(addProduct('Other', 5))
        .thenThrows(ProductAlreadyExists, 'product TEE-1 already exists'));
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

    it('changes a price to nothing: a product may be given away', () =>
      spec
        .given([productAdded('T-shirt', 1999)])
        .when(changePrice(0))
        .then([priceChanged(0, 1999)]));
  });

  describe('evolve', () => {
    it('keeps the name and the latest price', () => {
      const history = [productAdded('T-shirt', 1999), priceChanged(2499, 1999), priceChanged(2199, 2499)];
      expect(history.reduce(evolve, initialState())).toEqual({ status: 'listed', sku, name: 'T-shirt', priceCents: 2199 });
    });

    it('starts unlisted', () => expect(initialState()).toEqual({ status: 'unlisted' }));
  });
});
