import type { CommandContext } from '@ordo/eventstore';
import { createLogger } from '@ordo/runtime';
import { publishedEvent } from '@ordo/testing';
import type { InventoryHandlers } from './application/handlers';
import { commitCommandIdFor, commitDispatch, dispatchFeed, parseShippingEvent, type Dispatch } from './dispatch-feed';

const orderId = '2b1d9a4e-6f0c-4c1e-8a7b-3d5e9f0a1b2c';
const lines = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];
const dispatched = { orderId, shipmentId: 'shipment-1', lines, carrier: 'DHL', at: '2025-03-01T10:00:00.000Z' };
// A message of `ordo.shipping.events`, as the relay publishes it.
const recorded = (type: string, data: unknown) => publishedEvent(type, data, { stream: `shipment-${orderId}` });
const EVENT_ID = recorded('ShipmentDispatched', dispatched).id;

describe("inventory's feed of shipping's dispatches", () => {
  describe('parseShippingEvent', () => {
    it('reads a ShipmentDispatched as the order and its skus, tolerating fields a later shipping adds', () => {
      expect(parseShippingEvent(recorded('ShipmentDispatched', { ...dispatched, parcels: 2 }))).toEqual({
        eventId: EVENT_ID,
        correlationId: 'c',
        orderId,
        skus: ['SKU-1', 'SKU-2'],
      });
    });

    it('names a sku on two lines once: a commit takes all the order holds of it', () => {
      const twice = { ...dispatched, lines: [...lines, { sku: 'SKU-1', quantity: 3 }] };
      expect(parseShippingEvent(recorded('ShipmentDispatched', twice))?.skus).toEqual(['SKU-1', 'SKU-2']);
    });

    it('ignores the event types inventory has no use for', () => {
      expect(parseShippingEvent(recorded('ShipmentScheduled', { orderId, shipmentId: 's', lines, at: 't' }))).toBeUndefined();
      expect(parseShippingEvent(recorded('ShipmentCancelled', { orderId, reason: 'r', wasScheduled: true, at: 't' }))).toBeUndefined();
    });

    it('refuses a ShipmentDispatched whose data does not match, so it is parked rather than half applied', () => {
      expect(() => parseShippingEvent(recorded('ShipmentDispatched', { ...dispatched, lines: [{ sku: 'lower-case', quantity: 1 }] }))).toThrow(/sku/);
      expect(() => parseShippingEvent(recorded('ShipmentDispatched', { ...dispatched, orderId: undefined }))).toThrow(/orderId/);
      expect(() => parseShippingEvent({ ...recorded('ShipmentDispatched', dispatched), id: undefined })).toThrow(/id/);
    });
  });

  describe('commitCommandIdFor', () => {
    it('derives one id per event and sku, the same every time', () => {
      expect(commitCommandIdFor(EVENT_ID, 'SKU-1')).toBe(commitCommandIdFor(EVENT_ID, 'SKU-1'));
      expect(commitCommandIdFor(EVENT_ID, 'SKU-1')).not.toBe(commitCommandIdFor(EVENT_ID, 'SKU-2'));
      expect(commitCommandIdFor(EVENT_ID, 'SKU-1')).not.toBe(commitCommandIdFor('b0a5b8a2-2222-4c1e-8a7b-3d5e9f0a1b2c', 'SKU-1'));
    });
  });

  describe('the handler', () => {
    const NOW = '2025-03-01T11:00:00.000Z';
    let calls: [unknown, CommandContext][];
    // Only what the feed calls; the application layer has its own tests through the service.
    const handlers = {
      commitStock: async (data: unknown, context: CommandContext) => {
        calls.push([data, context]);
        return { events: [], repeated: false };
      },
    } as unknown as InventoryHandlers;
    const commit = commitDispatch({ handlers, clock: () => new Date(NOW), logger: createLogger({ service: 'inventory', level: 'silent' }) });
    const handle = (value: Dispatch | undefined) =>
      commit({ topic: 'ordo.shipping.events', partition: 0, offset: '0', key: `shipment-${orderId}`, messageId: EVENT_ID, headers: {}, value });

    beforeEach(() => {
      calls = [];
    });

    it('is the group inventory-dispatch on shipping’s event topic', () => {
      expect(dispatchFeed({ handlers, clock: () => new Date(NOW), logger: createLogger({ service: 'inventory', level: 'silent' }) })).toMatchObject({
        groupId: 'inventory-dispatch',
        topics: ['ordo.shipping.events'],
      });
    });

    it('commits each line with an id derived from the event and the sku, caused by the event, in its correlation', async () => {
      await handle(parseShippingEvent(recorded('ShipmentDispatched', dispatched)));
      expect(calls).toEqual([
        [
          { sku: 'SKU-1', orderId },
          { commandId: commitCommandIdFor(EVENT_ID, 'SKU-1'), correlationId: 'c', causationId: EVENT_ID, now: NOW },
        ],
        [
          { sku: 'SKU-2', orderId },
          { commandId: commitCommandIdFor(EVENT_ID, 'SKU-2'), correlationId: 'c', causationId: EVENT_ID, now: NOW },
        ],
      ]);
    });

    it('commits with the same ids when the event comes again, so the stock streams see repeats', async () => {
      await handle(parseShippingEvent(recorded('ShipmentDispatched', dispatched)));
      await handle(parseShippingEvent(recorded('ShipmentDispatched', dispatched)));
      const ids = calls.map(([, context]) => context.commandId);
      expect(ids.slice(2)).toEqual(ids.slice(0, 2));
    });

    it('does nothing for an event it ignores', async () => {
      await handle(undefined);
      expect(calls).toEqual([]);
    });
  });
});
