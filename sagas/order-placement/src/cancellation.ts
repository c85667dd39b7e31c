// The order-cancellation saga: a confirmed order its owner or an operator cancels is undone
// (orders' OrderCancellationStarted starts it). Cancel the shipment -> release the stock per
// line (the pivot) -> void or refund the payment -> mark the order cancelled. A shipment that
// left the warehouse is not called back: its refusal lets the order go on, nothing undone.
// After the pivot each command is sent until answered; a payment the provider will not give
// back leaves the instance failed for an operator.
import { byDataField, defineSaga, fanOut, step, type IncomingEvent } from '@ordo/saga';
import { ReleaseStockEndpoint } from '@ordo/inventory-contract';
import { CompleteCancellationEndpoint, OrderCancellationStarted, RefuseCancellationEndpoint } from '@ordo/orders-contract';
import { CancelPaymentEndpoint } from '@ordo/payments-contract';
import { CancelShipmentEndpoint } from '@ordo/shipping-contract';
import { AT_AND_AFTER_THE_PIVOT, BEFORE_THE_PIVOT } from './first-steps';

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

export const orderCancellation = defineSaga<OrderCancellationData>({
  name: 'orderCancellation',
  version: 1,
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
      ...BEFORE_THE_PIVOT,
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
