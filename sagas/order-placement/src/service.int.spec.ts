import { randomUUID } from 'node:crypto';
import { eventIdFor, type EventStore, type RecordedEvent } from '@ordo/eventstore';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import { inventoryEventSchemas, stockStream, type InventoryCommandMessage } from '@ordo/inventory-contract';
import { commandMessageSchema, type CommandMessage } from '@ordo/messaging';
import { orderStream, ordersEventSchemas, type OrdersCommandMessage } from '@ordo/orders-contract';
import type { CommandIssued, SagaView } from '@ordo/saga';
import { eventually } from '@ordo/testing';
import { orderPlacementV1 } from './definition';
import { orderPlacementServiceWith } from './service';

// The saga as the host mounts it in embedded mode, with stand-ins for orders and
// inventory on the same hub: they take the saga's commands off their command topics and
// record their answers in their own stores, from which the saga reads them. No Kafka.
const NOW = '2030-01-01T00:00:00.000Z';
const VIEWER_TOKEN = 'saga-spec-viewer';
const OPERATOR_TOKEN = 'saga-spec-operator';
/** A sku whose reservations inventory never answers: its instance waits until an operator acts, or its deadline passes. */
const SILENT_SKU = 'SKU-SILENT';

// Version 1 (reserve, confirm) on stand-ins of orders and inventory; version 2's service spec is service-v2.int.spec.ts.
describe('order placement, mounted on HTTP and the embedded bus', () => {
  // The tests' clock: it stands still, except where a test moves it on to pass a deadline.
  let now = NOW;
  let host: TestHost<'orders' | 'inventory'>;
  let sagas: EventStore;
  let orders: EventStore;
  let inventory: EventStore;
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
    if (sku === SILENT_SKU) return;
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
    else if (command.type === 'RejectOrder') await answer(orders, orderStream(orderId), command, 'OrderRejected', { orderId, reason: command.data.reason });
  };

  beforeAll(async () => {
    host = await startTestHost({
      // The scheduler looks for due instances every 50 ms, so a deadline passed is acted on at once.
      service: orderPlacementServiceWith({ definition: orderPlacementV1, pollMs: 50 }),
      standIns: { orders: { registry: ordersEventSchemas }, inventory: { registry: inventoryEventSchemas } },
      clock: () => new Date(now),
      authTokens: new Map([
        [VIEWER_TOKEN, { subject: 'support', roles: ['viewer'] }],
        [OPERATOR_TOKEN, { subject: 'ops', roles: ['operator'] }],
      ]),
    });
    ({
      store: sagas,
      standIns: { orders, inventory },
    } = host);
    const parse = (value: unknown) => commandMessageSchema.parse(value) as CommandMessage;
    await host.standInBus.consume({ groupId: 'inventory-stand-in', topics: ['ordo.inventory.commands'], parse, handle: inventoryStandIn });
    await host.standInBus.consume({ groupId: 'orders-stand-in', topics: ['ordo.orders.commands'], parse, handle: ordersStandIn });
  });

  afterAll(() => host?.close());

  // ---- helpers ------------------------------------------------------------------------
  const place = async (lines: { sku: string; quantity: number }[]) => {
    const orderId = randomUUID();
    const placed = { orderId, lines: lines.map((line) => ({ ...line, unitPriceCents: 250 })), totalCents: 0, at: NOW };
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
  const act = (orderId: string, action: string, body: object, token = OPERATOR_TOKEN) =>
    fetch(`${host.url}/v1/sagas/order-placement/${orderId}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const history = async (store: EventStore, stream: string) => {
    const events: RecordedEvent[] = [];
    for await (const event of store.readStream(stream)) events.push(event);
    return events;
  };

  // ---- the flows ----------------------------------------------------------------------
  it('reserves every line, confirms the order and completes', async () => {
    const orderId = await place([
      { sku: 'SKU-1', quantity: 2 },
      { sku: 'SKU-2', quantity: 3 },
    ]);
    const { view, etag } = await settled(orderId);
    expect(view).toMatchObject({ sagaId: `orderPlacement-${orderId}`, status: 'completed', key: orderId });
    expect(view.reason).toBeUndefined();
    expect(view.steps.map((step) => `${step.name}:${step.status}`)).toEqual(['order:succeeded', 'reserveStock:succeeded', 'confirmOrder:succeeded']);

    const saga = await history(sagas, `orderPlacement-${orderId}`);
    expect(etag).toBe(`"orderPlacement-${orderId}:${saga.length - 1}"`);
    expect(saga.map((event) => event.type)).toEqual([
      'SagaStarted',
      'CommandIssued',
      'CommandIssued',
      'ReplyReceived',
      'ReplyReceived',
      'CommandIssued',
      'ReplyReceived',
      'SagaCompleted',
    ]);
    expect(saga.every((event) => event.metadata.correlationId === `corr-${orderId}`)).toBe(true);
    const order = await history(orders, orderStream(orderId));
    expect(order.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderConfirmed']);
    expect(order[1]?.metadata.correlationId).toBe(`corr-${orderId}`);
  });

  it('releases the reserved line and rejects the order when a line cannot be reserved', async () => {
    const orderId = await place([
      { sku: 'SKU-1', quantity: 2 },
      { sku: 'SKU-2', quantity: 5 },
    ]);
    const reason = 'insufficient stock for SKU-2: 3 available, 5 requested';
    const { view } = await settled(orderId);
    expect(view).toMatchObject({ status: 'rolled-back', reason });
    expect(view.steps.map((step) => `${step.name}:${step.status}`)).toEqual(['order:compensated', 'reserveStock:compensated', 'confirmOrder:pending']);

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

  it('lets an operator force the compensation of an instance nobody answers, recording who and why', async () => {
    const orderId = await place([
      { sku: 'SKU-1', quantity: 1 },
      { sku: SILENT_SKU, quantity: 1 },
    ]);
    await eventually(async () => (await history(sagas, `orderPlacement-${orderId}`)).some((event) => event.type === 'ReplyReceived'), 'SKU-1 reserved');
    expect((await act(orderId, 'compensate', { reason: 'warehouse is down' }, VIEWER_TOKEN)).status).toBe(403);

    const forced = await act(orderId, 'compensate', { reason: 'warehouse is down' });
    expect(forced.status).toBe(200);
    expect(((await forced.json()) as SagaView).status).toBe('compensating');
    const { view } = await settled(orderId);
    expect(view).toMatchObject({ status: 'rolled-back', reason: 'compensation forced by ops: warehouse is down' });
    const saga = await history(sagas, `orderPlacement-${orderId}`);
    expect(saga.find((event) => event.type === 'OperatorCompensated')?.data).toEqual({ by: 'ops', reason: 'warehouse is down', at: NOW });
    // The silent line is released too: its reservation may have happened unanswered.
    const released = saga.filter((event) => event.type === 'CommandIssued' && (event.data as CommandIssued).command.type === 'ReleaseStock');
    expect(released.map((event) => (event.data as CommandIssued).aggregateId).sort()).toEqual(['SKU-1', SILENT_SKU]);
    expect((await history(orders, orderStream(orderId))).map((event) => event.type)).toEqual(['OrderPlaced', 'OrderRejected']);

    const refused = await act(orderId, 'resolve', { comment: 'nothing to do' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ detail: expect.stringMatching(/rolled-back/) });
    expect((await history(sagas, `orderPlacement-${orderId}`)).length).toBe(saga.length);
  });

  it('refuses an operator action on no instance (404) and without a reason (400)', async () => {
    expect((await act(randomUUID(), 'retry', { reason: 'try' })).status).toBe(404);
    expect((await act(randomUUID(), 'resolve', { comment: ' ' })).status).toBe(400);
    expect((await act(randomUUID(), 'resolve', { reason: 'wrong field' })).status).toBe(400);
  });

  it('answers 404 for an order without a saga, and 400 for a malformed id', async () => {
    const missing = await sagaOf(randomUUID());
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await sagaOf('not-an-order')).status).toBe(400);
  });
  it('sends a reservation nobody answers once more after 30 s, and after 30 s more releases the stock and rejects the order', async () => {
    const orderId = await place([
      { sku: 'SKU-1', quantity: 1 },
      { sku: SILENT_SKU, quantity: 1 },
    ]);
    const sagaId = `orderPlacement-${orderId}`;
    const types = async () => (await history(sagas, sagaId)).map((event) => event.type);
    await eventually(async () => (await types()).includes('ReplyReceived') || undefined, 'SKU-1 reserved');
    const started = Date.parse(NOW);
    try {
      now = new Date(started + 30_000).toISOString();
      await eventually(async () => (await types()).includes('RetryScheduled') || undefined, 'the silent reservation timed out');
      now = new Date(started + 31_000).toISOString();
      await eventually(async () => (await types()).filter((type) => type === 'CommandIssued').length === 3 || undefined, 'the reservation sent again');
      const resent = (await history(sagas, sagaId)).filter((event) => event.type === 'CommandIssued').at(-1)?.data as CommandIssued;
      expect(resent).toMatchObject({ aggregateId: SILENT_SKU, attempt: 2, dueAt: new Date(started + 61_000).toISOString() });

      now = new Date(started + 61_000).toISOString();
      const { view } = await settled(orderId);
      const reason = `the ReserveStock of step reserveStock (line ${SILENT_SKU}) got no reply within 30000 ms in 2 attempts`;
      expect(view).toMatchObject({ status: 'rolled-back', reason });
      const order = await history(orders, orderStream(orderId));
      expect(order.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderRejected']);
      expect(order[1]?.data).toMatchObject({ reason });
      const released = (await history(sagas, sagaId)).filter(
        (event) => event.type === 'CommandIssued' && (event.data as CommandIssued).command.type === 'ReleaseStock',
      );
      expect(released.map((event) => (event.data as CommandIssued).aggregateId).sort()).toEqual(['SKU-1', SILENT_SKU]);
    } finally {
      now = NOW;
    }
  });
});
