import { randomUUID } from 'node:crypto';
import { eventIdFor, type EventStore, type RecordedEvent } from '@ordo/eventstore';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import { inventoryEventSchemas, stockStream, type InventoryCommandMessage } from '@ordo/inventory-contract';
import { commandMessageSchema, type CommandMessage } from '@ordo/messaging';
import { orderStream, ordersEventSchemas, type OrdersCommandMessage } from '@ordo/orders-contract';
import { paymentsEventSchemas, paymentStream, type PaymentsCommandMessage } from '@ordo/payments-contract';
import type { SagaView } from '@ordo/saga';
import { shipmentStream, shippingEventSchemas, type ShippingCommandMessage } from '@ordo/shipping-contract';
import { eventually } from '@ordo/testing';
import { orderPlacementService } from './service';

// The saga as the host mounts it in embedded mode, with stand-ins for orders, inventory,
// payments and shipping on the same hub: they take the saga's commands off their command
// topics and record their answers in their own stores, from which the saga reads them.
// No Kafka. The real participants answer in the shop's end-to-end scenarios.
const DECLINED_CARD = 'tok_decline';
const NOW = '2030-01-01T00:00:00.000Z';
const VIEWER_TOKEN = 'saga-spec-viewer';

describe('order placement, mounted on HTTP and the embedded bus', () => {
  let host: TestHost<'orders' | 'inventory' | 'payments' | 'shipping'>;
  let sagas: EventStore;
  let orders: EventStore;
  let inventory: EventStore;
  let payments: EventStore;
  let shipping: EventStore;
  const stock = new Map([
    ['SKU-1', 10],
    ['SKU-2', 3],
  ]);

  /** Appends an answer to a command the way a context's command handler does: ids and metadata from the command. */
  const answer = (store: EventStore, stream: string, command: CommandMessage, type: string, data: object) =>
    store.appendToStream(
      stream,
      [
        {
          id: eventIdFor(command.commandId, 0),
          type,
          data: { ...data, at: NOW },
          metadata: { correlationId: command.metadata.correlationId, causationId: command.commandId, commandId: command.commandId },
        },
      ],
      { expectedRevision: 'any' },
    );

  const inventoryStandIn = async (message: { value: CommandMessage }) => {
    const command = message.value as InventoryCommandMessage;
    const { sku, orderId } = command.data;
    if (command.type === 'ReleaseStock') return void (await answer(inventory, stockStream(sku), command, 'StockReleased', { sku, orderId, quantity: 0 }));
    const available = stock.get(sku) ?? 0;
    const { quantity } = command.data;
    if (quantity <= available) return void (await answer(inventory, stockStream(sku), command, 'StockReserved', { sku, orderId, quantity }));
    const reason = `insufficient stock for ${sku}: ${available} available, ${quantity} requested`;
    await answer(inventory, stockStream(sku), command, 'StockReservationRejected', { sku, orderId, quantity, available, reason });
  };

  const ordersStandIn = async (message: { value: CommandMessage }) => {
    const command = message.value as OrdersCommandMessage;
    const { orderId } = command.data;
    if (command.type === 'ConfirmOrder') await answer(orders, orderStream(orderId), command, 'OrderConfirmed', { orderId });
    else await answer(orders, orderStream(orderId), command, 'OrderRejected', { orderId, reason: command.data.reason });
  };

  const paymentsStandIn = async (message: { value: CommandMessage }) => {
    const command = message.value as PaymentsCommandMessage;
    const { orderId } = command.data;
    const stream = paymentStream(orderId);
    switch (command.type) {
      case 'AuthorizePayment': {
        const { amountCents, cardToken } = command.data;
        if (cardToken === DECLINED_CARD)
          return void (await answer(payments, stream, command, 'PaymentDeclined', { orderId, amountCents, currency: 'EUR', reason: 'the card was declined' }));
        return void (await answer(payments, stream, command, 'PaymentAuthorized', {
          orderId,
          authorizationId: `auth-${orderId}`,
          amountCents,
          currency: 'EUR',
        }));
      }
      case 'VoidPayment':
        return void (await answer(payments, stream, command, 'PaymentVoided', { orderId, authorizationId: `auth-${orderId}`, amountCents: 1 }));
      case 'CapturePayment':
        return void (await answer(payments, stream, command, 'PaymentCaptured', {
          orderId,
          authorizationId: `auth-${orderId}`,
          captureId: `cap-${orderId}`,
          amountCents: 1,
        }));
      default:
        throw new Error(`the payments stand-in takes no ${command.type}`);
    }
  };

  const shippingStandIn = async (message: { value: CommandMessage }) => {
    const command = message.value as ShippingCommandMessage;
    const { orderId } = command.data;
    const stream = shipmentStream(orderId);
    if (command.type === 'CancelShipment')
      return void (await answer(shipping, stream, command, 'ShipmentCancelled', { orderId, reason: command.data.reason, wasScheduled: false }));
    const { address, lines } = command.data;
    if (address.country !== 'DE')
      return void (await answer(shipping, stream, command, 'ShipmentRefused', { orderId, reason: `shipping to '${address.country}' is not supported` }));
    await answer(shipping, stream, command, 'ShipmentScheduled', { orderId, shipmentId: `shp-${orderId}`, address, lines });
  };

  beforeAll(async () => {
    host = await startTestHost({
      service: orderPlacementService,
      standIns: {
        orders: { registry: ordersEventSchemas },
        inventory: { registry: inventoryEventSchemas },
        payments: { registry: paymentsEventSchemas },
        shipping: { registry: shippingEventSchemas },
      },
      clock: () => new Date(NOW),
      authTokens: new Map([[VIEWER_TOKEN, { subject: 'support', roles: ['viewer'] }]]),
    });
    ({
      store: sagas,
      standIns: { orders, inventory, payments, shipping },
    } = host);
    const parse = (value: unknown) => commandMessageSchema.parse(value) as CommandMessage;
    await host.standInBus.consume({ groupId: 'inventory-stand-in', topics: ['ordo.inventory.commands'], parse, handle: inventoryStandIn });
    await host.standInBus.consume({ groupId: 'orders-stand-in', topics: ['ordo.orders.commands'], parse, handle: ordersStandIn });
    await host.standInBus.consume({ groupId: 'payments-stand-in', topics: ['ordo.payments.commands'], parse, handle: paymentsStandIn });
    await host.standInBus.consume({ groupId: 'shipping-stand-in', topics: ['ordo.shipping.commands'], parse, handle: shippingStandIn });
  });

  afterAll(() => host?.close());

  // ---- helpers ------------------------------------------------------------------------
  const place = async (lines: { sku: string; quantity: number }[], { cardToken = 'tok_ok', country = 'DE' } = {}) => {
    const orderId = randomUUID();
    const priced = lines.map((line) => ({ ...line, unitPriceCents: 250 }));
    const shipTo = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country };
    const placed = { orderId, lines: priced, totalCents: 250 * lines.reduce((sum, line) => sum + line.quantity, 0), shipTo, payment: { cardToken }, at: NOW };
    const metadata = { correlationId: `corr-${orderId}`, causationId: 'http', commandId: `place-${orderId}` };
    await orders.appendToStream(orderStream(orderId), [{ id: eventIdFor(metadata.commandId, 0), type: 'OrderPlaced', data: placed, metadata }], {
      expectedRevision: 'no_stream',
    });
    return orderId;
  };
  // A saga instance is shown to viewers and above (docs/security.md).
  const sagaOf = (orderId: string) => fetch(`${host.url}/v1/sagas/order-placement/${orderId}`, { headers: { authorization: `Bearer ${VIEWER_TOKEN}` } });
  const settled = (orderId: string) =>
    eventually(async () => {
      const response = await sagaOf(orderId);
      const view = response.status === 200 ? ((await response.json()) as SagaView) : undefined;
      return view && (view.status === 'completed' || view.status === 'rolled-back') ? { view, etag: response.headers.get('etag') } : undefined;
    }, `the saga of order ${orderId} to finish`);
  const history = async (store: EventStore, stream: string) => {
    const events: RecordedEvent[] = [];
    for await (const event of store.readStream(stream)) events.push(event);
    return events;
  };

  // ---- the flows ----------------------------------------------------------------------
  const stepsOf = (view: SagaView) => view.steps.map((step) => `${step.name}:${step.status}`);
  const answered = async (store: EventStore, stream: string) => (await history(store, stream)).map((event) => event.type);

  it('reserves every line, authorizes the payment, schedules the shipment, confirms the order, captures and completes', async () => {
    const orderId = await place([
      { sku: 'SKU-1', quantity: 2 },
      { sku: 'SKU-2', quantity: 3 },
    ]);
    const { view, etag } = await settled(orderId);
    expect(view).toMatchObject({ sagaId: `orderPlacement-${orderId}`, status: 'completed', key: orderId });
    expect(view.reason).toBeUndefined();
    expect(stepsOf(view)).toEqual([
      'order:succeeded',
      'reserveStock:succeeded',
      'authorizePayment:succeeded',
      'scheduleShipment:succeeded',
      'confirmOrder:succeeded',
      'capturePayment:succeeded',
    ]);

    const saga = await history(sagas, `orderPlacement-${orderId}`);
    expect(etag).toBe(`"orderPlacement-${orderId}:${saga.length - 1}"`);
    expect(saga.map((event) => event.type)).toEqual([
      'SagaStarted',
      'CommandIssued',
      'CommandIssued',
      'ReplyReceived',
      'ReplyReceived',
      ...['authorize', 'schedule', 'confirm', 'capture'].flatMap(() => ['CommandIssued', 'ReplyReceived']),
      'SagaCompleted',
    ]);
    expect(saga.every((event) => event.metadata.correlationId === `corr-${orderId}`)).toBe(true);
    const order = await history(orders, orderStream(orderId));
    expect(order.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderConfirmed']);
    expect(order[1]?.metadata.correlationId).toBe(`corr-${orderId}`);
    expect(await answered(payments, paymentStream(orderId))).toEqual(['PaymentAuthorized', 'PaymentCaptured']);
    expect(await answered(shipping, shipmentStream(orderId))).toEqual(['ShipmentScheduled']);
  });

  it('releases the reserved line and rejects the order when a line cannot be reserved', async () => {
    const orderId = await place([
      { sku: 'SKU-1', quantity: 2 },
      { sku: 'SKU-2', quantity: 5 },
    ]);
    const reason = 'insufficient stock for SKU-2: 3 available, 5 requested';
    const { view } = await settled(orderId);
    expect(view).toMatchObject({ status: 'rolled-back', reason });
    expect(stepsOf(view).slice(0, 3)).toEqual(['order:compensated', 'reserveStock:compensated', 'authorizePayment:pending']);
    expect(await answered(payments, paymentStream(orderId))).toEqual([]);

    const releases = (await history(inventory, stockStream('SKU-1'))).filter(
      (event) => event.type === 'StockReleased' && (event.data as { orderId: string }).orderId === orderId,
    );
    expect(releases).toHaveLength(1);
    expect(
      (await history(inventory, stockStream('SKU-2'))).some(
        (event) => event.type === 'StockReleased' && (event.data as { orderId: string }).orderId === orderId,
      ),
    ).toBe(false);
    const order = await history(orders, orderStream(orderId));
    expect(order.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderRejected']);
    expect(order[1]?.data).toMatchObject({ orderId, reason });
  });

  it('releases the stock and rejects the order with the reason when the card is declined', async () => {
    const orderId = await place([{ sku: 'SKU-1', quantity: 1 }], { cardToken: DECLINED_CARD });
    const { view } = await settled(orderId);
    expect(view).toMatchObject({ status: 'rolled-back', reason: 'the card was declined' });
    const ofThisOrder = (await history(inventory, stockStream('SKU-1'))).filter((event) => (event.data as { orderId: string }).orderId === orderId);
    expect(ofThisOrder.map((event) => event.type)).toEqual(['StockReserved', 'StockReleased']);
    expect(await answered(shipping, shipmentStream(orderId))).toEqual([]);
    expect((await history(orders, orderStream(orderId)))[1]?.data).toMatchObject({ orderId, reason: 'the card was declined' });
  });

  it('voids the payment, releases the stock and rejects the order when the shipment is refused', async () => {
    const orderId = await place([{ sku: 'SKU-1', quantity: 1 }], { country: 'ZZ' });
    const reason = "shipping to 'ZZ' is not supported";
    const { view } = await settled(orderId);
    expect(view).toMatchObject({ status: 'rolled-back', reason });
    expect(await answered(payments, paymentStream(orderId))).toEqual(['PaymentAuthorized', 'PaymentVoided']);
    const order = await history(orders, orderStream(orderId));
    expect(order.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderRejected']);
    expect(order[1]?.data).toMatchObject({ orderId, reason });
  });

  it('answers 404 for an order without a saga, and 400 for a malformed id', async () => {
    const missing = await sagaOf(randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await sagaOf('not-an-order')).status).toBe(400);
  });
});
