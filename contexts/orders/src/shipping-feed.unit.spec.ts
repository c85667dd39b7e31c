import type { CommandContext } from '@ordo/eventstore';
import { createLogger } from '@ordo/runtime';
import { publishedEvent } from '@ordo/testing';
import type { OrdersHandlers } from './application/handlers';
import { markDispatchShipped, markShippedCommandIdFor, parseShippingEvent, shippingFeed, type Dispatch } from './shipping-feed';

const orderId = '2b1d9a4e-6f0c-4c1e-8a7b-3d5e9f0a1b2c';
const dispatched = { orderId, shipmentId: 'shipment-1', lines: [{ sku: 'SKU-1', quantity: 2 }], trackingNumber: 'T-1', at: '2025-03-01T10:00:00.000Z' };
// A message of `ordo.shipping.events`, as the relay publishes it.
const recorded = (type: string, data: unknown) => publishedEvent(type, data, { stream: `shipment-${orderId}` });
const EVENT_ID = recorded('ShipmentDispatched', dispatched).id;

describe("orders' feed of shipping's dispatches", () => {
  describe('parseShippingEvent', () => {
    it('reads a ShipmentDispatched as the order and its shipment, tolerating fields a later shipping adds', () => {
      expect(parseShippingEvent(recorded('ShipmentDispatched', { ...dispatched, parcels: 2 }))).toEqual({
        eventId: EVENT_ID,
        correlationId: 'c',
        orderId,
        shipmentId: 'shipment-1',
      });
    });

    it('ignores the event types orders has no use for', () => {
      expect(parseShippingEvent(recorded('ShipmentScheduled', { orderId, shipmentId: 's', lines: [], at: 't' }))).toBeUndefined();
      expect(parseShippingEvent(recorded('ShipmentCancellationRefused', { orderId, shipmentId: 's', reason: 'r', at: 't' }))).toBeUndefined();
    });

    it('refuses a ShipmentDispatched whose data does not match, so it is parked rather than misapplied', () => {
      expect(() => parseShippingEvent(recorded('ShipmentDispatched', { ...dispatched, orderId: 'not-a-uuid' }))).toThrow(/orderId/);
      expect(() => parseShippingEvent(recorded('ShipmentDispatched', { ...dispatched, shipmentId: '' }))).toThrow(/shipmentId/);
      expect(() => parseShippingEvent({ ...recorded('ShipmentDispatched', dispatched), metadata: {} })).toThrow(/correlationId/);
    });
  });

  describe('the handler', () => {
    const NOW = '2025-03-02T09:00:00.000Z';
    const calls: [unknown, CommandContext][] = [];
    // Only what the feed calls; the application layer is exercised through the service.
    const handlers = {
      markShipped: async (data: unknown, context: CommandContext) => {
        calls.push([data, context]);
        return { order: { orderId, status: 'shipped' }, revision: 2n };
      },
    } as unknown as OrdersHandlers;
    const ports = { handlers, clock: () => new Date(NOW), logger: createLogger({ service: 'orders', level: 'silent' }) };
    const handle = (value: Dispatch | undefined) =>
      markDispatchShipped(ports)({
        topic: 'ordo.shipping.events',
        partition: 0,
        offset: '0',
        key: `shipment-${orderId}`,
        messageId: EVENT_ID,
        headers: {},
        value,
      });

    it('is the group orders-shipping on shipping’s event topic', () => {
      expect(shippingFeed(ports)).toMatchObject({ groupId: 'orders-shipping', topics: ['ordo.shipping.events'] });
    });

    it('marks the order shipped with an id derived from the event, caused by it, in its correlation', async () => {
      await handle(parseShippingEvent(recorded('ShipmentDispatched', dispatched)));
      await handle(undefined);
      expect(calls).toEqual([
        [
          { orderId, shipmentId: 'shipment-1' },
          { commandId: markShippedCommandIdFor(EVENT_ID), correlationId: 'c', causationId: EVENT_ID, now: NOW },
        ],
      ]);
      expect(markShippedCommandIdFor(EVENT_ID)).toBe(markShippedCommandIdFor(EVENT_ID));
      expect(markShippedCommandIdFor(EVENT_ID)).not.toBe(markShippedCommandIdFor('b0a5b8a2-2222-4c1e-8a7b-3d5e9f0a1b2c'));
    });
  });
});
