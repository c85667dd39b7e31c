// The order-placement saga, second version: the five-step flow. Reserve stock per line ->
// authorize the payment -> schedule the shipment -> confirm the order (the pivot) ->
// capture the payment. Before the pivot a refusal, or a command that gets no reply in two
// sendings of 30 s, undoes what was done in reverse (cancel the shipment, void the payment,
// release the stock) and rejects the order with the reason. After it nothing is undone:
// the capture is sent until answered, and a capture declined for good leaves the instance
// failed for an operator. An order its owner cancels before the pivot is undone the same
// way; once the confirmation was sent, the cancellation saga (cancellation.ts) undoes it.
// A free order is rejected: version 3 (v3.ts) confirms it without a payment.
import { defineSaga, byDataField, refuseStep } from '@ordo/saga';
import { orderStep, reserveStockStep, type OrderPlacementData } from './first-steps';
import { authorizePaymentStep, cancelledBecause, capturePaymentStep, confirmOrderStep, placedWithPayment, scheduleShipmentStep } from './five-steps';

export { NO_ADDRESS, NO_CARD_TOKEN, cancelledBecause } from './five-steps';
/** Why version 2 rejects a free order (or one without a total): a payment authorizes a positive amount. */
export const NOTHING_TO_PAY = 'the order totals 0 cents: there is no payment to authorize';

const amountOf = ({ totalCents }: OrderPlacementData): number => (totalCents !== undefined && totalCents > 0 ? totalCents : refuseStep(NOTHING_TO_PAY));

export const orderPlacementV2 = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 2,
  trigger: { type: 'OrderPlaced', data: placedWithPayment, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  // Before the pivot the owner's cancellation undoes the order like a refusal; after it, orders starts the cancellation saga.
  cancelledBy: { type: 'OrderCancellationRequested', reason: cancelledBecause },
  steps: [orderStep, reserveStockStep, authorizePaymentStep({ amountOf }), scheduleShipmentStep, confirmOrderStep, capturePaymentStep()],
});
