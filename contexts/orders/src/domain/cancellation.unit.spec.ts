import { deciderSpec } from '@ordo/testing';
import { OrderNotFound, OrderRuleBroken } from './errors';
import { orderDecider, type OrderCommand, type OrderEvent } from './order';

const spec = deciderSpec(orderDecider);
const orderId = '5f0c3a52-7c1e-4c61-9d63-0d7f6c1a2b3c';
const owner = 'customer-a';
const placedAt = '2025-03-01T10:00:00.000Z';
const confirmedAt = '2025-03-01T10:00:01.000Z';
const now = '2025-03-01T10:05:00.000Z';
const reason = 'ordered the wrong size';
const lines = [
  { sku: 'SKU-1', quantity: 2, unitPriceCents: 1250 },
  { sku: 'SKU-2', quantity: 1, unitPriceCents: 999 },
];
const unpriced = lines.map(({ sku, quantity }) => ({ sku, quantity }));

const placed: OrderEvent = { type: 'OrderPlaced', data: { orderId, owner, lines, totalCents: 3499, at: placedAt } };
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, at: confirmedAt } };
const requested = (by = owner, at = now): OrderEvent => ({ type: 'OrderCancellationRequested', data: { orderId, reason, by, at } });
const started = (at = now): OrderEvent => ({ type: 'OrderCancellationStarted', data: { orderId, reason, lines: unpriced, at } });
const cancelled = (at = now): OrderEvent => ({ type: 'OrderCancelled', data: { orderId, reason, at } });
const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId, shipmentId: 'shipment-1', at: confirmedAt } };

const cancel = (by = owner, actsForAnyOrder = false): OrderCommand => ({
  type: 'CancelOrder',
  data: { orderId, reason, by, actsForAnyOrder },
  metadata: { now },
});
const confirm: OrderCommand = { type: 'ConfirmOrder', data: { orderId }, metadata: { now } };
const reject: OrderCommand = { type: 'RejectOrder', data: { orderId, reason: 'compensation: order cancelled' }, metadata: { now } };
const complete: OrderCommand = { type: 'CompleteCancellation', data: { orderId }, metadata: { now } };
const refusedWhy = 'the shipment was dispatched: it can no longer be cancelled';
const refuse: OrderCommand = { type: 'RefuseCancellation', data: { orderId, reason: refusedWhy }, metadata: { now } };
const markShipped: OrderCommand = { type: 'MarkShipped', data: { orderId, shipmentId: 'shipment-1' }, metadata: { now } };

describe('Order cancellation', () => {
  describe('CancelOrder', () => {
    it('records the request on a pending order: the placement saga undoes what it did', () => {
      spec.given([placed]).when(cancel()).then([requested()]);
    });

    it('also starts the cancellation of a confirmed order, with the lines to release', () => {
      spec.given([placed, confirmed]).when(cancel()).then([requested(), started()]);
    });

    it('takes an operator’s request for anyone’s order', () => {
      spec
        .given([placed, confirmed])
        .when(cancel('operator-1', true))
        .then([requested('operator-1'), started()]);
    });

    it('answers anyone else as for an order that does not exist', () => {
      spec.given([placed]).when(cancel('customer-b')).thenThrows(OrderNotFound, `no order ${orderId}`);
    });

    it('answers for an order recorded without an owner to operators only', () => {
      const ownerless: OrderEvent = { type: 'OrderPlaced', data: { orderId, lines, totalCents: 3499, at: placedAt } };
      spec.given([ownerless]).when(cancel()).thenThrows(OrderNotFound);
      spec
        .given([ownerless])
        .when(cancel('operator-1', true))
        .then([requested('operator-1')]);
    });

    it('refuses an order that was never placed', () => {
      spec.given([]).when(cancel(owner, true)).thenThrows(OrderNotFound);
    });

    it('refuses a shipped order: its parcel has left', () => {
      spec
        .given([placed, confirmed, shipped])
        .when(cancel())
        .thenThrows(OrderRuleBroken, /was shipped at .*; it can no longer be cancelled/);
    });

    it('refuses a rejected or a cancelled order', () => {
      const rejected: OrderEvent = { type: 'OrderRejected', data: { orderId, reason: 'out of stock', at: confirmedAt } };
      spec
        .given([placed, rejected])
        .when(cancel())
        .thenThrows(OrderRuleBroken, /was rejected \(out of stock\); there is nothing to cancel/);
      spec
        .given([placed, requested(), cancelled()])
        .when(cancel())
        .thenThrows(OrderRuleBroken, /was cancelled/);
    });

    it('refuses a second request while the first is under way', () => {
      spec
        .given([placed, requested()])
        .when(cancel())
        .thenThrows(OrderRuleBroken, /is being cancelled already/);
      spec
        .given([placed, confirmed, requested(), started()])
        .when(cancel())
        .thenThrows(OrderRuleBroken, /is being cancelled already/);
    });
  });

  describe('while the placement saga decides', () => {
    it('ends a pending order cancelled, with the owner’s reason, when the saga rolls it back', () => {
      spec.given([placed, requested()]).when(reject).then([cancelled()]);
    });

    it('confirms an order the saga had passed its pivot for, and starts its cancellation', () => {
      spec
        .given([placed, requested()])
        .when(confirm)
        .then([{ type: 'OrderConfirmed', data: { orderId, at: now } }, started()]);
    });

    it('answers nothing new to a RejectOrder once cancelled', () => {
      spec.given([placed, requested(), cancelled()]).when(reject).thenNothing();
    });

    it('refuses to confirm a cancelled order', () => {
      spec
        .given([placed, requested(), cancelled()])
        .when(confirm)
        .thenThrows(OrderRuleBroken, /was cancelled .*; it cannot be confirmed/);
    });
  });

  describe('CompleteCancellation', () => {
    it('ends a confirmed order being cancelled as cancelled', () => {
      spec.given([placed, confirmed, requested(), started()]).when(complete).then([cancelled()]);
    });

    it('answers nothing new once cancelled', () => {
      spec.given([placed, confirmed, requested(), started(), cancelled()]).when(complete).thenNothing();
    });

    it('refuses an order that is not being cancelled', () => {
      spec
        .given([placed, confirmed])
        .when(complete)
        .thenThrows(OrderRuleBroken, /is confirmed and not being cancelled/);
    });
  });

  describe('RefuseCancellation', () => {
    const refused: OrderEvent = { type: 'OrderCancellationRefused', data: { orderId, reason: refusedWhy, at: now } };

    it('lets a shipped order go on: its parcel left before the cancellation reached it', () => {
      spec.given([placed, confirmed, requested(), started(), shipped]).when(refuse).then([refused]);
    });

    it('lets a confirmed order go on, and be cancelled again later', () => {
      spec.given([placed, confirmed, requested(), started(), refused]).when(refuse).thenNothing();
      spec.given([placed, confirmed, requested(), started(), refused]).when(cancel()).then([requested(), started()]);
    });

    it('refuses for a cancelled order', () => {
      spec
        .given([placed, requested(), cancelled()])
        .when(refuse)
        .thenThrows(OrderRuleBroken, /is cancelled; its cancellation cannot be refused/);
    });
  });

  describe('a dispatch racing the cancellation', () => {
    it('marks a confirmed order being cancelled shipped: the cancellation saga then refuses the cancellation', () => {
      spec
        .given([placed, confirmed, requested(), started()])
        .when(markShipped)
        .then([{ type: 'OrderShipped', data: { orderId, shipmentId: 'shipment-1', at: now } }]);
    });

    it('refuses to ship a cancelled order', () => {
      spec
        .given([placed, confirmed, requested(), started(), cancelled()])
        .when(markShipped)
        .thenThrows(OrderRuleBroken, /was cancelled/);
    });
  });

  it('shows a cancelled order with its reason and without the request', () => {
    const state = [placed, confirmed, requested(), started(), cancelled()].reduce(orderDecider.evolve, orderDecider.initialState());
    expect(state).toEqual({ status: 'cancelled', orderId, owner, lines, totalCents: 3499, placedAt, reason, cancelledAt: now });
  });
});
