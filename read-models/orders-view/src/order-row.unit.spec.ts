import type { ProjectedEvent } from '@ordo/projections';
import { evolveOrderRow, ORDER_SOURCES, orderKeyOf, type OrderRow, type OrderSource } from './order-row';

// Given a source's events, then the row's columns: each source folded as its aggregate would.

const orderId = '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10';
const at = (minute: number) => `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z`;
const lines = [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 500 }];

const event = (stream: string, type: string, data: Record<string, unknown>, revision = 0): ProjectedEvent => ({
  id: `${stream}-${revision}`,
  stream,
  revision: BigInt(revision),
  type,
  data: { orderId, ...data },
  recordedAt: new Date(),
});
const sourceOf = (stream: string) => (Object.entries(ORDER_SOURCES).find(([, { prefix }]) => stream.startsWith(prefix)) as [OrderSource, unknown])[0];

/** Folds events as the runner does: each source keeps only its own columns of what evolve returns. */
const fold = (...events: ProjectedEvent[]): Partial<OrderRow> =>
  events.reduce<Partial<OrderRow>>((row, next) => {
    const source = sourceOf(next.stream);
    const own = evolveOrderRow(Object.keys(row).length === 0 ? null : (row as OrderRow), next, source);
    const kept = Object.fromEntries(Object.entries(own).filter(([column]) => (ORDER_SOURCES[source].columns as readonly string[]).includes(column)));
    return { ...row, ...kept };
  }, {});

const order = (type: string, data: Record<string, unknown> = {}) => event(`order-${orderId}`, type, data);
const payment = (type: string, data: Record<string, unknown> = {}) => event(`payment-${orderId}`, type, data);
const shipment = (type: string, data: Record<string, unknown> = {}) => event(`shipment-${orderId}`, type, data);
const placed = order('OrderPlaced', { owner: 'alice', customerId: 'c-1', lines, totalCents: 1000, at: at(0) });

describe('the orders view row', () => {
  it('keys every source by the order its events name', () => {
    expect([placed, payment('PaymentAuthorized'), shipment('ShipmentDispatched')].map(orderKeyOf)).toEqual([orderId, orderId, orderId]);
    expect(orderKeyOf({ ...placed, data: { sku: 'SKU-1' } })).toBeUndefined();
  });

  it('records a placed order: owner, customer, lines, total and time', () => {
    expect(fold(placed)).toEqual({ status: 'pending', owner: 'alice', customer_id: 'c-1', lines, total_cents: 1000, placed_at: at(0) });
  });

  it('follows the order to shipped, with each step’s time', () => {
    expect(fold(placed, order('OrderConfirmed', { at: at(1) }), order('OrderShipped', { shipmentId: 's-1', at: at(2) }))).toMatchObject({
      status: 'shipped',
      confirmed_at: at(1),
      shipped_at: at(2),
    });
  });

  it('keeps the reason of a rejection', () => {
    expect(fold(placed, order('OrderRejected', { reason: 'insufficient stock for SKU-1', at: at(1) }))).toMatchObject({
      status: 'rejected',
      reason: 'insufficient stock for SKU-1',
      rejected_at: at(1),
    });
  });

  it('shows a cancellation under way, then the cancelled order with its reason', () => {
    const requested = fold(placed, order('OrderConfirmed', { at: at(1) }), order('OrderCancellationRequested', { reason: 'changed my mind', at: at(2) }));
    expect(requested).toMatchObject({ status: 'confirmed', cancellation: { reason: 'changed my mind', requestedAt: at(2) } });
    expect(
      fold(
        placed,
        order('OrderCancellationRequested', { reason: 'changed my mind', at: at(2) }),
        order('OrderCancelled', { reason: 'changed my mind', at: at(3) }),
      ),
    ).toMatchObject({
      status: 'cancelled',
      reason: 'changed my mind',
      cancellation: null,
      cancelled_at: at(3),
    });
  });

  it('drops a refused cancellation: the order goes on', () => {
    const refused = fold(
      placed,
      order('OrderConfirmed', { at: at(1) }),
      order('OrderCancellationRequested', { reason: 'too late', at: at(2) }),
      order('OrderShipped', { shipmentId: 's-1', at: at(3) }),
      order('OrderCancellationRefused', { reason: 'shipment left', at: at(4) }),
    );
    expect(refused).toMatchObject({ status: 'shipped', cancellation: null });
  });

  it('ignores what the order’s status does not allow, as orders does', () => {
    expect(fold(placed, order('OrderRejected', { reason: 'r', at: at(1) }), order('OrderConfirmed', { at: at(2) }))).toMatchObject({ status: 'rejected' });
    expect(fold(placed, order('OrderShipped', { shipmentId: 's-1', at: at(1) }))).toMatchObject({ status: 'pending' });
  });

  it('follows the payment: authorized, captured, refunded; a decline keeps its reason', () => {
    expect(fold(payment('PaymentAuthorized'), payment('PaymentCaptured'))).toEqual({ payment_status: 'captured', payment_reason: null });
    expect(fold(payment('PaymentAuthorized'), payment('PaymentCaptured'), payment('PaymentRefunded', { reason: 'cancelled' }))).toMatchObject({
      payment_status: 'refunded',
    });
    expect(fold(payment('PaymentDeclined', { reason: 'card declined' }))).toEqual({ payment_status: 'declined', payment_reason: 'card declined' });
    expect(fold(payment('PaymentAuthorized'), payment('PaymentVoided'))).toMatchObject({ payment_status: 'voided' });
    expect(fold(payment('PaymentDeclined', { reason: 'card declined' }), payment('PaymentCaptured'))).toMatchObject({ payment_status: 'declined' });
  });

  it('follows the shipment: scheduled with its id, dispatched; a cancelled one keeps its reason', () => {
    expect(fold(shipment('ShipmentScheduled', { shipmentId: 's-1' }), shipment('ShipmentDispatched'))).toEqual({
      shipment_status: 'dispatched',
      shipment_id: 's-1',
      shipment_reason: null,
    });
    expect(fold(shipment('ShipmentScheduled', { shipmentId: 's-1' }), shipment('ShipmentCancelled', { reason: 'order cancelled' }))).toMatchObject({
      shipment_status: 'cancelled',
      shipment_reason: 'order cancelled',
    });
    expect(
      fold(shipment('ShipmentScheduled', { shipmentId: 's-1' }), shipment('ShipmentDispatched'), shipment('ShipmentCancelled', { reason: 'x' })),
    ).toMatchObject({
      shipment_status: 'dispatched',
    });
  });

  it('sets only the source’s own columns, whatever arrived first', () => {
    const paymentFirst = fold(payment('PaymentAuthorized'), placed, shipment('ShipmentScheduled', { shipmentId: 's-1' }));
    const orderFirst = fold(placed, shipment('ShipmentScheduled', { shipmentId: 's-1' }), payment('PaymentAuthorized'));
    expect(paymentFirst).toEqual(orderFirst);
  });

  it('skips an event type it does not know: a later version’s', () => {
    expect(fold(placed, order('OrderGiftWrapped', { at: at(1) }))).toEqual(fold(placed));
    expect(evolveOrderRow(null, placed, 'elsewhere')).toEqual({});
  });
});
