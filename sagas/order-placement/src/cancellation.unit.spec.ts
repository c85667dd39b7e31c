import { elapse, reply, sagaSpec, started, trigger } from '@ordo/saga';
import { orderCancellation } from './cancellation';
import { orderId, at, reason, lines, cancellation, shipmentCancelled, DISPATCHED, cancellationRefused, cancelShipment, release } from '../test/cancelled-order';

// The cancellation of a confirmed order, one conversation a test: cancel the shipment ->
// release the stock (the pivot) -> void or refund the payment -> mark the order cancelled.
// On the version new cancellations start on; how long each version waits for shipping is in
// cancellation-versions.unit.spec.ts.
const spec = sagaSpec(orderCancellation);

// ---- replies ----
const released = (sku: string) => reply({ step: 'releaseStock', line: sku }, 'StockReleased', { sku, orderId, quantity: 1, at });
const paymentVoided = reply({ step: 'cancelPayment' }, 'PaymentVoided', { orderId, authorizationId: 'auth-1', amountCents: 4499, at });
const paymentRefunded = reply({ step: 'cancelPayment' }, 'PaymentRefunded', { orderId, refundId: 'ref-1', amountCents: 4499, reason, at });
const refundRefused = reply({ step: 'cancelPayment' }, 'PaymentRefundRejected', { orderId, reason: 'the card was closed', at });
const orderCancelled = reply({ step: 'completeCancellation' }, 'OrderCancelled', { orderId, reason, at });
const refusedRecorded = reply({ step: 'order', kind: 'compensation' }, 'OrderCancellationRefused', { orderId, reason: DISPATCHED, at });

// ---- commands ----
const cancelPayment = { target: 'payments', type: 'CancelPayment', aggregateId: orderId, data: { orderId, reason } };
const complete = { target: 'orders', type: 'CompleteCancellation', aggregateId: orderId, data: { orderId } };
const refuse = { target: 'orders', type: 'RefuseCancellation', aggregateId: orderId, data: { orderId, reason: DISPATCHED } };

const stockReleased = [started(cancellation), shipmentCancelled, released('SKU-1'), released('SKU-2')];

describe('order cancellation', () => {
  it('cancels the shipment first when orders starts the cancellation of a confirmed order', () => {
    const startedEvent = trigger('OrderCancellationStarted', { orderId, reason, lines, at });
    spec.given().when(startedEvent).thenIssues([cancelShipment]);
    expect(spec.given().when(startedEvent).events()[0]?.data).toMatchObject({ saga: 'orderCancellation', version: 2, data: cancellation });
  });

  it('releases every line once the shipment is stopped, then gives the payment back, then cancels the order', () => {
    spec
      .given([started(cancellation)])
      .when(shipmentCancelled)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([started(cancellation), shipmentCancelled, released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([cancelPayment]);
    spec.given(stockReleased).when(paymentVoided).thenIssues([complete]);
    spec
      .given([...stockReleased, paymentVoided])
      .when(orderCancelled)
      .thenCompleted();
  });

  it('goes on alike when the payment was captured and is refunded', () => {
    spec.given(stockReleased).when(paymentRefunded).thenIssues([complete]);
  });

  it('refuses the cancellation when the shipment had left: nothing is released, the order goes on', () => {
    spec
      .given([started(cancellation)])
      .when(cancellationRefused)
      .thenIssues([refuse]);
    spec
      .given([started(cancellation), cancellationRefused])
      .when(refusedRecorded)
      .thenRolledBack(DISPATCHED);
  });

  it('leaves the instance failed for an operator when the provider will not give the money back', () => {
    spec
      .given(stockReleased)
      .when(refundRefused)
      .thenFailed(/PaymentRefundRejected: the card was closed/);
  });

  it('sends an unanswered release again with the same id until answered, never undoing the cancelled shipment', () => {
    const waiting = [started(cancellation), shipmentCancelled, released('SKU-1')];
    spec.given(waiting).when(elapse(30_000)).thenRecords(['StepTimedOut', 'RetryScheduled']);
    spec
      .given([...waiting, elapse(30_000)])
      .when(elapse(1_000))
      .thenIssues([release('SKU-2')]);
  });
});
