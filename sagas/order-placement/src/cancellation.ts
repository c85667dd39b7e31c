// The order-cancellation saga: a confirmed order its owner or an operator cancels is undone
// (orders' OrderCancellationStarted starts it). Cancel the shipment -> release the stock per
// line (the pivot) -> void or refund the payment -> mark the order cancelled. A shipment that
// left the warehouse is not called back: its refusal lets the order go on, nothing undone.
// After the pivot each command is sent until answered; a payment the provider will not give
// back leaves the instance failed for an operator.
import { byDataField, defineSaga, fanOut, step, type IncomingEvent, type SagaDefinition, type StepPolicies } from '@ordo/saga';
import { ReleaseStockEndpoint } from '@ordo/inventory-contract';
import { CompleteCancellationEndpoint, OrderCancellationStarted, RefuseCancellationEndpoint } from '@ordo/orders-contract';
import { CancelPaymentEndpoint } from '@ordo/payments-contract';
import { CancelShipmentEndpoint } from '@ordo/shipping-contract';
import { AT_AND_AFTER_THE_PIVOT, BEFORE_THE_PIVOT, UNTIL_ANSWERED_BEFORE_THE_PIVOT } from './first-steps';

/** What an instance keeps of its OrderCancellationStarted: the order, why, and the lines whose stock it releases. */
export interface OrderCancellationData {
  orderId: string;
  reason: string;
  lines: { sku: string; quantity: number }[];
}

const startedWith = (event: IncomingEvent): OrderCancellationData => {
  const { orderId, reason, lines } = OrderCancellationStarted.parse(event.data);
  return { orderId, reason, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) };
};

/** The versions differ only in how long the shipment's cancellation is waited for (`cancelShipment`). */
const orderCancellationVersion = (version: number, cancelShipment: StepPolicies) =>
  defineSaga<OrderCancellationData>({
    name: 'orderCancellation',
    version,
    trigger: { type: 'OrderCancellationStarted', data: startedWith, key: (saga) => saga.orderId },
    association: byDataField('orderId'),
    steps: [
      // No action: orders recorded the request. Its compensation lets the order go on, saying why.
      step('order', {
        compensation: { endpoint: RefuseCancellationEndpoint, data: ({ saga, reason }) => ({ orderId: saga.orderId, reason }) },
        timeoutMs: 30_000,
      }),
      // The one step that may be refused: shipping answers ShipmentCancellationRefused once the parcel left.
      step('cancelShipment', {
        action: { endpoint: CancelShipmentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId, reason: saga.reason }) },
        ...cancelShipment,
      }),
      // The pivot: the shipment is stopped, so the stock the order holds goes back (all of it, whatever a line asks).
      fanOut('releaseStock', {
        pivot: true,
        over: (saga: OrderCancellationData) => saga.lines,
        key: (line) => line.sku,
        action: { endpoint: ReleaseStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId }) },
        ...AT_AND_AFTER_THE_PIVOT,
      }),
      // Voided if only authorized, refunded if the placement saga's capture got there first.
      step('cancelPayment', {
        action: { endpoint: CancelPaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId, reason: saga.reason }) },
        ...AT_AND_AFTER_THE_PIVOT,
      }),
      step('completeCancellation', {
        action: { endpoint: CompleteCancellationEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
        ...AT_AND_AFTER_THE_PIVOT,
      }),
    ],
  });

/**
 * Version 1: a CancelShipment unanswered in two sendings refuses the cancellation, although
 * shipping may still cancel the shipment. Kept while its instances finish.
 */
export const orderCancellationV1 = orderCancellationVersion(1, BEFORE_THE_PIVOT);

/** Version 2: the CancelShipment is sent until shipping answers; only its definite refusal (the parcel left) refuses the cancellation. */
export const orderCancellationV2 = orderCancellationVersion(2, UNTIL_ANSWERED_BEFORE_THE_PIVOT);

/** Every version the service registers, newest first: an instance finishes on the version it started on. */
export const orderCancellationVersions: readonly SagaDefinition<OrderCancellationData>[] = [orderCancellationV2, orderCancellationV1];

/** The version new cancellations start on. */
export const orderCancellation: SagaDefinition<OrderCancellationData> = orderCancellationV2;
