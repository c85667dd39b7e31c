// The order sagas' service as embedded mode runs it (PGlite, the embedded bus, the deadline
// schedulers), in a test host with stand-ins for orders, inventory, payments and shipping that
// answer its commands as those contexts do, on a clock that moves only when told. The replay check's fixtures are
// recorded on it (record-fixtures.ts): every decision either saga appends reaches `decisions`.
import { eventIdFor } from '@ordo/eventstore';
import { deliverAgain, startTestHost } from '@ordo/host/testing';
import { inventoryEventSchemas, stockStream, type InventoryCommandMessage } from '@ordo/inventory-contract';
import { commandMessageSchema, type CommandMessage } from '@ordo/messaging';
import { orderStream, ordersEventSchemas, type OrdersCommandMessage, type ShipTo } from '@ordo/orders-contract';
import { paymentsEventSchemas } from '@ordo/payments-contract';
import type { OperatorAction, SagaDecision, SagaDefinition, SagaView } from '@ordo/saga';
import { shippingEventSchemas } from '@ordo/shipping-contract';
import { eventually } from '@ordo/testing/eventually';
import type { OrderPlacementData } from '../src/first-steps';
import { orderPlacementServiceWith } from '../src/service';
import { answerWith, standInPaymentsAndShipping } from './payments-and-shipping';

export const START = '2030-01-01T00:00:00.000Z';
/** Inventory never answers a reservation of this sku: its deadline passes, or an operator acts. */
export const SILENT_SKU = 'SKU-SILENT';
/** Inventory answers a reservation of this sku only when a scenario says so (`answerHeld`). */
export const HELD_SKU = 'SKU-HELD';
/** Inventory answers a reservation of this sku twice, under two event ids, as a participant that lost track of it would. */
export const TWICE_SKU = 'SKU-TWICE';
const OPERATOR_TOKEN = 'fixtures-operator';

export type Line = { sku: string; quantity: number };
/** What version 2 reads of OrderPlaced besides the lines; its total is the lines' at `unitPriceCents` (default 250) a unit. */
export type Paying = { cardToken?: string; shipTo?: ShipTo; unitPriceCents?: number };
export const SHIP_TO: ShipTo = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

/** `definition`: the version new instances start on (default the service's). */
export const openShop = async ({ definition }: { definition?: SagaDefinition<OrderPlacementData> } = {}) => {
  let now = Date.parse(START);
  const decisions: SagaDecision[] = [];
  const stock = new Map([
    ['SKU-1', 10],
    ['SKU-2', 3],
    [TWICE_SKU, 10],
  ]);
  // The reservations of HELD_SKU not answered yet, by order: a sending again has the same command id.
  const held = new Map<string, InventoryCommandMessage>();
  const host = await startTestHost({
    service: orderPlacementServiceWith({
      pollMs: 50,
      recorder: (decision) => decisions.push(decision),
      cancellationRecorder: (decision) => decisions.push(decision),
      ...(definition && { definition }),
    }),
    standIns: {
      orders: { registry: ordersEventSchemas },
      inventory: { registry: inventoryEventSchemas },
      payments: { registry: paymentsEventSchemas },
      shipping: { registry: shippingEventSchemas },
    },
    clock: () => new Date(now),
    database: 'pglite',
    authTokens: new Map([[OPERATOR_TOKEN, { subject: 'ops', roles: ['operator'] }]]),
  });
  const { orders, inventory, payments, shipping } = host.standIns;
  const answer = answerWith(() => now);
  const participants = await standInPaymentsAndShipping(host, answer);
  const reserve = async (command: InventoryCommandMessage & { type: 'ReserveStock' }) => {
    const { sku, orderId, quantity } = command.data;
    const available = stock.get(sku) ?? 0;
    if (quantity <= available) {
      await answer(inventory, stockStream(sku), command, 'StockReserved', { sku, orderId, quantity });
      if (sku === TWICE_SKU) await answer(inventory, stockStream(sku), command, 'StockReserved', { sku, orderId, quantity }, 1);
      return;
    }
    const reason = `insufficient stock for ${sku}: ${available} available, ${quantity} requested`;
    await answer(inventory, stockStream(sku), command, 'StockReservationRejected', { sku, orderId, quantity, available, reason });
  };
  const parse = (value: unknown) => commandMessageSchema.parse(value) as CommandMessage;
  await host.standInBus.consume({
    groupId: 'inventory-stand-in',
    topics: ['ordo.inventory.commands'],
    parse,
    handle: async ({ value }) => {
      const command = value as InventoryCommandMessage;
      const { sku, orderId } = command.data;
      if (command.type === 'ReleaseStock') await answer(inventory, stockStream(sku), command, 'StockReleased', { sku, orderId, quantity: 0 });
      else if (sku === HELD_SKU) held.set(orderId, command);
      else if (sku !== SILENT_SKU) await reserve(command);
    },
  });
  // Orders as it answers both sagas: an order whose cancellation was asked ends cancelled, or is undone once confirmed.
  const linesOf = new Map<string, Line[]>();
  const cancellations = new Map<string, string>();
  const confirmed = new Set<string>();
  const cancellationStarted = (orderId: string, reason: string) => ({ orderId, reason, lines: linesOf.get(orderId) ?? [] });
  const orderAnswer = async (command: OrdersCommandMessage) => {
    const { orderId } = command.data;
    const stream = orderStream(orderId);
    const reason = cancellations.get(orderId);
    switch (command.type) {
      case 'ConfirmOrder':
        confirmed.add(orderId);
        await answer(orders, stream, command, 'OrderConfirmed', { orderId });
        if (reason !== undefined) await answer(orders, stream, command, 'OrderCancellationStarted', cancellationStarted(orderId, reason), 1);
        return;
      case 'RejectOrder':
        if (reason !== undefined) return void (await answer(orders, stream, command, 'OrderCancelled', { orderId, reason }));
        return void (await answer(orders, stream, command, 'OrderRejected', { orderId, reason: command.data.reason }));
      case 'CompleteCancellation':
        return void (await answer(orders, stream, command, 'OrderCancelled', { orderId, reason: reason ?? 'no reason recorded' }));
      case 'RefuseCancellation':
        cancellations.delete(orderId);
        return void (await answer(orders, stream, command, 'OrderCancellationRefused', { orderId, reason: command.data.reason }));
      default: {
        const unknown: never = command;
        throw new Error(`the orders stand-in takes no ${JSON.stringify(unknown)}`);
      }
    }
  };
  await host.standInBus.consume({
    groupId: 'orders-stand-in',
    topics: ['ordo.orders.commands'],
    parse,
    handle: ({ value }) => orderAnswer(value as OrdersCommandMessage),
  });

  type SagaName = 'orderPlacement' | 'orderCancellation';
  const sagaId = (orderId: string, saga: SagaName = 'orderPlacement') => `${saga}-${orderId}`;
  /** The saga's events so far (order placement's, unless the cancellation's is named), by type. */
  const typesOf = async (orderId: string, saga?: SagaName) => {
    const types: string[] = [];
    for await (const event of host.store.readStream(sagaId(orderId, saga))) types.push(event.type);
    return types;
  };
  /**
   * OrderPlaced as orders records it; `copy` 1 and up record it again under another id, as a
   * duplicate would. With `paying` (version 2's orders) it has a total, and the card and address given.
   */
  const place = async (orderId: string, lines: Line[], copy = 0, paying?: Paying) => {
    const { unitPriceCents = 250, ...pays } = paying ?? {};
    const priced = lines.map((line) => ({ ...line, unitPriceCents }));
    const total = paying ? priced.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0) : 0;
    const placed = { orderId, ...pays, lines: priced, totalCents: total, at: new Date(now).toISOString() };
    linesOf.set(orderId, lines);
    const metadata = { correlationId: `corr-${orderId}`, causationId: 'http', commandId: `place-${orderId}` };
    await orders.appendToStream(orderStream(orderId), [{ id: eventIdFor(metadata.commandId, copy), type: 'OrderPlaced', data: placed, metadata }], {
      expectedRevision: 'any',
    });
  };

  /** The owner cancels the order, as orders records it: a confirmed order's cancellation starts at once. */
  const cancel = async (orderId: string, reason: string) => {
    cancellations.set(orderId, reason);
    const metadata = { correlationId: `corr-cancel-${orderId}`, causationId: 'http', commandId: `cancel-${orderId}` };
    const at = new Date(now).toISOString();
    const requested = { type: 'OrderCancellationRequested', data: { orderId, reason, by: 'customer-a', at } };
    const started = { type: 'OrderCancellationStarted', data: { ...cancellationStarted(orderId, reason), at } };
    const events = confirmed.has(orderId) ? [requested, started] : [requested];
    await orders.appendToStream(
      orderStream(orderId),
      events.map((event, index) => ({ id: eventIdFor(metadata.commandId, index), ...event, metadata })),
      { expectedRevision: 'any' },
    );
  };

  return {
    decisions,
    cancel,
    participants,
    sagas: host.store,
    sagaId,
    typesOf,
    place,
    /** Waits until the saga's events (order placement's, unless the cancellation's is named) pass `test`. */
    until: (orderId: string, test: (types: string[]) => boolean, what: string, saga?: SagaName) =>
      eventually(async () => test(await typesOf(orderId, saga)), `${sagaId(orderId, saga)}: ${what}`),
    /** Waits until the instance (of order placement, unless the cancellation's is named) has this status, as an operator sees it. */
    untilStatus: (orderId: string, status: SagaView['status'], saga: 'order-placement' | 'order-cancellation' = 'order-placement') =>
      eventually(async () => {
        const response = await fetch(`${host.url}/v1/sagas/${saga}/${orderId}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
        return response.status === 200 && ((await response.json()) as SagaView).status === status;
      }, `the ${saga} of ${orderId} to be ${status}`),
    /** An operator's action over HTTP; anything but 200 throws. */
    act: async (orderId: string, action: OperatorAction, body: { reason: string } | { comment: string }) => {
      const response = await fetch(`${host.url}/v1/sagas/order-placement/${orderId}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`${action} of ${sagaId(orderId)} answered ${response.status}: ${await response.text()}`);
    },
    /** Moves the clock on: the scheduler wakes what is due by then. */
    advance: (ms: number) => void (now += ms),
    /** Inventory answers the order's reservation of HELD_SKU at last. */
    answerHeld: async (orderId: string) => {
      const command = await eventually(() => held.get(orderId), `inventory to hold the reservation of ${HELD_SKU} for order ${orderId}`);
      if (command.type !== 'ReserveStock') throw new Error(`inventory holds a ${command.type} for order ${orderId}`);
      held.delete(orderId);
      await answer(inventory, stockStream(HELD_SKU), command, 'StockReserved', { sku: HELD_SKU, orderId, quantity: command.data.quantity });
    },
    /** Every event of the participants delivered to the saga once more (a consumer group reading from the start). */
    deliverEverythingAgain: async () => {
      const ids: string[] = [];
      for (const store of [orders, inventory, payments, shipping]) for await (const event of store.readAll()) ids.push(event.id);
      // One consumer feeds both sagas.
      const again = await deliverAgain(host, 'order-placement');
      try {
        await eventually(() => ids.every((id) => again.handled.has(id)), 'every event of the participants delivered again');
      } finally {
        await again.stop();
      }
      return ids.length;
    },
    close: () => host.close(),
  };
};

export type Shop = Awaited<ReturnType<typeof openShop>>;
