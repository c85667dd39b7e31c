import { reply, sagaSpec, started, trigger } from '@ordo/saga';
import { orderPlacementV1, type OrderPlacementData } from './definition';

const spec = sagaSpec(orderPlacementV1);
const orderId = '6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c';
const order: OrderPlacementData = {
  orderId,
  lines: [
    { sku: 'SKU-1', quantity: 2 },
    { sku: 'SKU-2', quantity: 5 },
    { sku: 'SKU-3', quantity: 1 },
  ],
};
const at = '2030-01-01T00:00:00.000Z';

// ---- replies, as orders and inventory record them ----
const reserved = (sku: string, quantity: number) => reply({ step: 'reserveStock', line: sku }, 'StockReserved', { sku, orderId, quantity, at });
const rejected = (sku: string, available: number, requested: number) =>
  reply({ step: 'reserveStock', line: sku }, 'StockReservationRejected', {
    sku,
    orderId,
    quantity: requested,
    available,
    reason: `insufficient stock for ${sku}: ${available} available, ${requested} requested`,
    at,
  });
const released = (sku: string, quantity: number) =>
  reply({ step: 'reserveStock', line: sku, kind: 'compensation' }, 'StockReleased', { sku, orderId, quantity, at });
const confirmed = reply({ step: 'confirmOrder' }, 'OrderConfirmed', { orderId, at });
const rejectedOrder = (reason: string) => reply({ step: 'order', kind: 'compensation' }, 'OrderRejected', { orderId, reason, at });

// ---- commands, as orders and inventory receive them ----
const reserve = (sku: string, quantity: number) => ({ target: 'inventory', type: 'ReserveStock', aggregateId: sku, data: { sku, orderId, quantity } });
const release = (sku: string) => ({ target: 'inventory', type: 'ReleaseStock', aggregateId: sku, data: { sku, orderId } });
const confirm = { target: 'orders', type: 'ConfirmOrder', aggregateId: orderId, data: { orderId } };
const reject = (reason: string) => ({ target: 'orders', type: 'RejectOrder', aggregateId: orderId, data: { orderId, reason } });

const allReserved = [started(order), reserved('SKU-1', 2), reserved('SKU-2', 5), reserved('SKU-3', 1)];
const shortOfSku2 = 'insufficient stock for SKU-2: 3 available, 5 requested';

describe('order placement: the happy path', () => {
  it('reserves stock for each line when an order is placed', () => {
    const placed = trigger('OrderPlaced', { orderId, lines: order.lines.map((line) => ({ ...line, unitPriceCents: 100 })), totalCents: 800, at });
    spec
      .given()
      .when(placed)
      .thenIssues([reserve('SKU-1', 2), reserve('SKU-2', 5), reserve('SKU-3', 1)]);
  });

  it('keeps only the order and its lines of OrderPlaced: what version 2 reads changes nothing here', () => {
    const placed = trigger('OrderPlaced', {
      orderId,
      shipTo: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
      cardToken: 'tok_visa',
      lines: order.lines.map((line) => ({ ...line, unitPriceCents: 100 })),
      totalCents: 800,
      at,
    });
    const [started] = spec.given().when(placed).events();
    expect(started).toMatchObject({ type: 'SagaStarted', data: { version: 1 } });
    expect(started?.data).toHaveProperty('data', order);
  });

  it('waits while lines are still being reserved', () =>
    spec
      .given([started(order), reserved('SKU-1', 2)])
      .when(reserved('SKU-3', 1))
      .thenWaits());

  it('confirms the order once every line is reserved', () => spec.given(allReserved.slice(0, 3)).when(reserved('SKU-3', 1)).thenIssues([confirm]));

  it('completes when the order is confirmed', () => spec.given(allReserved).when(confirmed).thenCompleted());
});

describe('order placement: a line cannot be reserved', () => {
  it('releases only the reserved lines', () =>
    spec
      .given([started(order), reserved('SKU-1', 2), reserved('SKU-3', 1)])
      .when(rejected('SKU-2', 3, 5))
      .thenIssues([release('SKU-1'), release('SKU-3')]));

  it('waits for the lines still pending before compensating', () => {
    spec
      .given([started(order), reserved('SKU-1', 2)])
      .when(rejected('SKU-2', 3, 5))
      .thenWaits();
    spec
      .given([started(order), reserved('SKU-1', 2), rejected('SKU-2', 3, 5)])
      .when(reserved('SKU-3', 1))
      .thenIssues([release('SKU-1'), release('SKU-3')]);
  });

  it('rejects the order, naming the sku, once the stock is released', () => {
    const failed = [started(order), reserved('SKU-1', 2), reserved('SKU-3', 1), rejected('SKU-2', 3, 5)];
    spec
      .given([...failed, released('SKU-1', 2)])
      .when(released('SKU-3', 1))
      .thenIssues([reject(shortOfSku2)]);
    spec
      .given([...failed, released('SKU-1', 2), released('SKU-3', 1)])
      .when(rejectedOrder(shortOfSku2))
      .thenRolledBack(shortOfSku2);
  });

  it('rejects the order at once when no line was reserved', () => {
    const single = { orderId, lines: [{ sku: 'SKU-2', quantity: 5 }] };
    spec
      .given([started(single)])
      .when(rejected('SKU-2', 3, 5))
      .thenIssues([reject(shortOfSku2)]);
  });
});

describe('order placement: repeated and stray replies', () => {
  it('ignores a repeated reservation', () =>
    spec
      .given([started(order), reserved('SKU-1', 2)])
      .when(reserved('SKU-1', 2))
      .thenNothing());

  it('ignores a repeated rejection after compensation began', () =>
    spec
      .given([started(order), reserved('SKU-1', 2), reserved('SKU-3', 1), rejected('SKU-2', 3, 5)])
      .when(rejected('SKU-2', 3, 5))
      .thenNothing());

  it('ignores a repeated confirmation after completion', () =>
    spec
      .given([...allReserved, confirmed])
      .when(confirmed)
      .thenNothing());

  it('ignores a second OrderPlaced for the same order', () =>
    spec
      .given([started(order)])
      .when(trigger('OrderPlaced', { orderId, lines: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }], totalCents: 100, at }))
      .thenNothing());
});
