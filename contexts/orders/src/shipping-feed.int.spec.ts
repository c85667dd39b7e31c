import { randomUUID } from 'node:crypto';
import { orderStream } from '@ordo/orders-contract';
import { deliverAgain, eventsOf, recordEvent, startTestHost, type TestHost } from '@ordo/host/testing';
import { sqlDeadLetterStore } from '@ordo/messaging';
import { shipmentStream, shippingEventSchemas } from '@ordo/shipping-contract';
import { eventually } from '@ordo/testing';
import { existingOrder } from '../test/existing-order';
import { orderState } from '../test/order-state';
import { markShippedCommandIdFor } from './shipping-feed';
import { ordersService } from './service';

// Orders as a host mounts it, with a stand-in shipping store whose events reach orders'
// shipping feed through the embedded bus, as shipping's own would. The orders exist
// before their dispatch (existingOrder).
const dispatchedAt = '2025-03-02T09:00:00.000Z';

describe("orders' shipping feed", () => {
  let host: TestHost<'shipping'>;

  beforeAll(async () => {
    host = await startTestHost({
      service: ordersService,
      standIns: { shipping: { registry: shippingEventSchemas } },
      clock: () => new Date(dispatchedAt),
    });
  });

  afterAll(() => host?.close());

  /** Records a ShipmentDispatched as shipping does when the warehouse dispatches; resolves to its event id. */
  const dispatch = (orderId: string, commandId = `dispatch-${orderId}`) =>
    recordEvent(host.standIns.shipping, {
      stream: shipmentStream(orderId),
      type: 'ShipmentDispatched',
      data: { orderId, shipmentId: `shipment-of-${orderId}`, lines: [{ sku: 'MUG-1', quantity: 2 }], carrier: 'DHL', at: dispatchedAt },
      commandId,
    });
  const read = async (orderId: string) => {
    const { state, revision } = await orderState(host.store, orderId);
    return { etag: `"order-${orderId}:${revision}"`, body: state };
  };
  const shippedEvents = async (orderId: string) => (await eventsOf(host.store, orderStream(orderId))).filter((event) => event.type === 'OrderShipped');
  const parked = () => sqlDeadLetterStore(host.sql, { schema: host.schema }).listParked('orders-shipping');
  /** Every dispatch recorded, to be found shipped once after a redelivery. */
  const shippedOrders: { orderId: string; eventId: string }[] = [];

  it('marks a confirmed order shipped when its shipment is dispatched, and shows it shipped', async () => {
    const orderId = await existingOrder(host.store, 'confirmed');
    const eventId = await dispatch(orderId);
    shippedOrders.push({ orderId, eventId });

    const [shipped] = await eventually(async () => {
      const events = await shippedEvents(orderId);
      return events.length > 0 ? events : undefined;
    }, 'the order shipped');
    expect(shipped).toMatchObject({
      type: 'OrderShipped',
      revision: 2n,
      data: { orderId, shipmentId: `shipment-of-${orderId}`, at: dispatchedAt },
      // Caused by the dispatch, in its correlation: a trace from the warehouse to the order.
      metadata: { commandId: markShippedCommandIdFor(eventId), causationId: eventId, correlationId: `dispatch-${orderId}` },
    });
    expect(await read(orderId)).toEqual({ etag: `"order-${orderId}:2"`, body: expect.objectContaining({ orderId, status: 'shipped', totalCents: 2500 }) });
  });

  it('answers a second dispatch event of a shipped order with nothing new', async () => {
    const orderId = await existingOrder(host.store, 'confirmed');
    shippedOrders.push({ orderId, eventId: await dispatch(orderId) });
    await eventually(async () => (await shippedEvents(orderId)).length > 0, 'the order shipped');
    // Another event (an operator republishing it under a new id): the order is shipped already.
    await dispatch(orderId, `dispatch-again-${orderId}`);
    // The embedded bus hands the feed shipping's events one at a time, in the store's order:
    // once a later order is shipped, the repeat before it was handled.
    const later = await existingOrder(host.store, 'confirmed');
    shippedOrders.push({ orderId: later, eventId: await dispatch(later) });
    await eventually(async () => (await shippedEvents(later)).length > 0, 'the later order shipped');
    expect(await shippedEvents(orderId)).toHaveLength(1);
  });

  it('parks at once the dispatch of an order that is pending, rejected or unknown, and goes on with others', async () => {
    const pending = await existingOrder(host.store);
    const rejected = await existingOrder(host.store, 'rejected');
    const unknown = randomUUID();
    for (const orderId of [pending, rejected, unknown]) await dispatch(orderId);
    const confirmed = await existingOrder(host.store, 'confirmed');
    shippedOrders.push({ orderId: confirmed, eventId: await dispatch(confirmed) });
    await eventually(async () => (await shippedEvents(confirmed)).length > 0, 'the confirmed order shipped');

    // Parked well within the retries' minute: refused by the order's rules, not retried.
    const letters = await eventually(async () => {
      const keys = await parked();
      return keys.length === 3 ? keys : undefined;
    }, 'three dispatches parked');
    expect(letters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: shipmentStream(pending), messages: 1, firstError: `order ${pending} is pending; only a confirmed order is shipped` }),
        expect.objectContaining({ key: shipmentStream(rejected), firstError: `order ${rejected} was rejected (payment declined); it cannot be shipped` }),
        expect.objectContaining({ key: shipmentStream(unknown), firstError: `no order ${unknown}` }),
      ]),
    );
    expect((await read(pending)).body.status).toBe('pending');
    expect((await read(rejected)).body.status).toBe('rejected');
  });

  it('marks each order shipped once when every dispatch is delivered again', async () => {
    const before = await Promise.all(shippedOrders.map(({ orderId }) => eventsOf(host.store, orderStream(orderId))));

    // The service's own feed, started again under a new group: it reads shipping's topic from its start.
    const again = await deliverAgain(host, 'orders-shipping');
    try {
      await eventually(() => shippedOrders.every(({ eventId }) => again.handled.has(eventId)), 'every dispatch delivered again');
    } finally {
      await again.stop();
    }

    expect(await Promise.all(shippedOrders.map(({ orderId }) => eventsOf(host.store, orderStream(orderId))))).toEqual(before);
    for (const { orderId } of shippedOrders) expect(await shippedEvents(orderId)).toHaveLength(1);
  });
});
