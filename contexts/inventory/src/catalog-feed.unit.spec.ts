import { parseCatalogEvent } from './catalog-feed';

// A message of `ordo.catalog.events`: the recorded event, its revision as a string.
const recorded = (type: string, data: unknown, revision = '0') => ({
  id: 'b0a5b8a2-1111-4c1e-8a7b-3d5e9f0a1b2c',
  type,
  stream: 'product-SKU-1',
  revision,
  position: '17',
  data,
  metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
  recordedAt: '2025-03-01T10:00:00.000Z',
});

describe("reading catalog's events into inventory's copy", () => {
  it('turns ProductAdded into a known sku with its stream revision, tolerating fields a later catalog adds', () => {
    expect(parseCatalogEvent({ ...recorded('ProductAdded', { sku: 'SKU-1', name: 'Mug', priceCents: 1250, at: 't', colour: 'new field' }), extra: 1 })).toEqual({
      type: 'ProductAdded',
      sku: 'SKU-1',
      revision: 0n,
    });
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
    expect(() => parseCatalogEvent({ ...recorded('ProductAdded', { sku: 'SKU-1', name: 'Mug', priceCents: 1, at: 't' }), revision: 'latest' })).toThrow(/revision/);
  });
});
