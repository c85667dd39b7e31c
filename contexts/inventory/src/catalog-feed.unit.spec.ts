import { publishedEvent } from '@ordo/testing';
import { parseCatalogEvent } from './catalog-feed';

// A message of `ordo.catalog.events`: the recorded event, its revision as a string.
const recorded = (type: string, data: unknown, revision = '0') => publishedEvent(type, data, { revision });

describe("reading catalog's events into inventory's copy", () => {
  it('turns ProductAdded into a known sku with its stream revision, tolerating fields a later catalog adds', () => {
    expect(parseCatalogEvent({ ...recorded('ProductAdded', { sku: 'SKU-1', name: 'Mug', priceCents: 1250, at: 't', colour: 'new field' }), extra: 1 })).toEqual(
      {
        type: 'ProductAdded',
        sku: 'SKU-1',
        revision: 0n,
      },
    );
    expect(parseCatalogEvent(recorded('ProductAdded', { sku: 'SKU-2', name: 'Cup', priceCents: 0, at: 't' }, '12345678901234567890'))).toMatchObject({
      revision: 12345678901234567890n,
    });
  });

  it('ignores the event types inventory has no use for', () => {
    expect(parseCatalogEvent(recorded('PriceChanged', { sku: 'SKU-1', priceCents: 1400, previousPriceCents: 1250, at: 't' }, '1'))).toBeUndefined();
    expect(parseCatalogEvent(recorded('ProductRenamed', { sku: 'SKU-1', name: 'Cup' }, '2'))).toBeUndefined();
  });

  it('refuses a ProductAdded whose data does not match, or a bad revision, so it is parked rather than misapplied', () => {
    expect(() => parseCatalogEvent(recorded('ProductAdded', { sku: 'lower-case', name: 'Mug', priceCents: 1250, at: 't' }))).toThrow(/sku/);
    expect(() => parseCatalogEvent(recorded('ProductAdded', { name: 'Mug', priceCents: 1250, at: 't' }))).toThrow(/sku/);
    expect(() => parseCatalogEvent({ ...recorded('ProductAdded', { sku: 'SKU-1', name: 'Mug', priceCents: 1, at: 't' }), revision: 'latest' })).toThrow(
      /revision/,
    );
  });
});
