import { publishedEvent } from '@ordo/testing';
import { parseCatalogEvent, parseOrdersCommand } from './messaging';

const orderId = '2b1d9a4e-6f0c-4c1e-8a7b-3d5e9f0a1b2c';
// A message of `ordo.catalog.events`: the recorded event, its revision as a string.
const recorded = (type: string, data: unknown, revision = '0') => publishedEvent(type, data, { revision });
const command = (type: string, data: unknown) => ({
  type,
  commandId: 'cmd-1',
  data,
  metadata: { correlationId: 'corr-1', causationId: 'evt-1', traceparent: 'tp' },
});

describe('reading catalog events', () => {
  it('turns ProductAdded and PriceChanged into price updates with their stream revision', () => {
    expect(parseCatalogEvent(recorded('ProductAdded', { sku: 'SKU-1', name: 'Mug', priceCents: 1250, at: 't', colour: 'new field' }))).toEqual({
      type: 'ProductAdded',
      sku: 'SKU-1',
      name: 'Mug',
      priceCents: 1250,
      revision: 0n,
    });
    expect(parseCatalogEvent(recorded('PriceChanged', { sku: 'SKU-1', priceCents: 1400, previousPriceCents: 1250, at: 't' }, '12345678901234567890'))).toEqual({
      type: 'PriceChanged',
      sku: 'SKU-1',
      priceCents: 1400,
      revision: 12345678901234567890n,
    });
  });

  it('ignores the event types orders has no use for', () => {
    expect(parseCatalogEvent(recorded('ProductRenamed', { sku: 'SKU-1', name: 'Cup' }))).toBeUndefined();
  });

  it('refuses a known event whose data does not match, so it is parked rather than misapplied', () => {
    expect(() => parseCatalogEvent(recorded('PriceChanged', { sku: 'SKU-1', priceCents: '14.00' }))).toThrow();
    expect(() => parseCatalogEvent({ ...recorded('ProductAdded', {}), revision: 'latest' })).toThrow();
  });
});

describe('reading orders commands', () => {
  it('parses ConfirmOrder and RejectOrder with their data', () => {
    expect(parseOrdersCommand(command('ConfirmOrder', { orderId }))).toEqual(command('ConfirmOrder', { orderId }));
    expect(parseOrdersCommand(command('RejectOrder', { orderId, reason: 'out of stock' }))).toMatchObject({
      type: 'RejectOrder',
      data: { orderId, reason: 'out of stock' },
    });
  });

  it('refuses a command orders does not take, or one with bad data', () => {
    expect(() => parseOrdersCommand(command('ShipOrder', { orderId }))).toThrow(
      "orders takes ConfirmOrder and RejectOrder and CompleteCancellation and RefuseCancellation on its command topic, not 'ShipOrder'",
    );
    expect(() => parseOrdersCommand(command('RejectOrder', { orderId }))).toThrow();
    expect(() => parseOrdersCommand(command('ConfirmOrder', { orderId: 'not-a-uuid' }))).toThrow();
    expect(() => parseOrdersCommand({ type: 'ConfirmOrder', data: { orderId } })).toThrow();
  });
});
