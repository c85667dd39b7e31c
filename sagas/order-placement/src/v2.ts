// The order-placement saga, second version: the five-step flow. Reserve stock per line ->
// authorize the payment -> schedule the shipment -> confirm the order (the pivot) ->
// capture the payment. Before the pivot a refusal, or a command that gets no reply in two
// sendings of 30 s, undoes what was done in reverse (cancel the shipment, void the payment,
// release the stock) and rejects the order with the reason. After it nothing is undone:
// the capture is sent until answered, and a capture declined for good leaves the instance
// failed for an operator. An order its owner cancels before the pivot is undone the same
// way; once the confirmation was sent, the cancellation saga (cancellation.ts) undoes it.
import { byDataField, defineSaga, refuseStep, step, type IncomingEvent } from '@ordo/saga';
import { ConfirmOrderEndpoint, OrderCancellationRequested, OrderPlaced } from '@ordo/orders-contract';
import { AuthorizePaymentEndpoint, CapturePaymentEndpoint, VoidPaymentEndpoint } from '@ordo/payments-contract';
import { CancelShipmentEndpoint, ScheduleShipmentEndpoint } from '@ordo/shipping-contract';
import { AT_AND_AFTER_THE_PIVOT, BEFORE_THE_PIVOT, orderStep, reserveStockStep, type OrderPlacementData } from './first-steps';

/** Why an order without a card token is rejected: version 2 cannot authorize its payment. */
export const NO_CARD_TOKEN = 'no card token was given';
/** Why an order without an address (placed before orders recorded one) is rejected. */
export const NO_ADDRESS = 'the order has no address to ship to';
/** Why a free order is rejected: a payment authorizes a positive amount. */
export const NOTHING_TO_PAY = 'the order totals 0 cents: there is no payment to authorize';

const placed = (event: IncomingEvent): OrderPlacementData => {
  const { orderId, lines, totalCents, shipTo, cardToken } = OrderPlaced.parse(event.data);
  return {
    orderId,
    lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
    totalCents,
    ...(shipTo !== undefined && { shipTo }),
    ...(cardToken !== undefined && { cardToken }),
  };
};

/** The reason a cancelled order's compensations carry (orders ends it cancelled with the request's own reason). */
export const cancelledBecause = (event: IncomingEvent): string => `the order was cancelled: ${OrderCancellationRequested.parse(event.data).reason}`;

const amountOf = ({ totalCents }: OrderPlacementData): number => (totalCents !== undefined && totalCents > 0 ? totalCents : refuseStep(NOTHING_TO_PAY));

export const orderPlacementV2 = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 2,
  trigger: { type: 'OrderPlaced', data: placed, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  // Before the pivot the owner's cancellation undoes the order like a refusal; after it, orders starts the cancellation saga.
  cancelledBy: { type: 'OrderCancellationRequested', reason: cancelledBecause },
  steps: [
    orderStep,
    reserveStockStep,
    // Without a card token there is nothing to authorize: the step refuses, and the order is rejected.
    step('authorizePayment', {
      action: {
        endpoint: AuthorizePaymentEndpoint,
        data: ({ saga }) => ({ orderId: saga.orderId, amountCents: amountOf(saga), cardToken: saga.cardToken ?? refuseStep(NO_CARD_TOKEN) }),
      },
      compensation: { endpoint: VoidPaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
      ...BEFORE_THE_PIVOT,
    }),
    step('scheduleShipment', {
      action: {
        endpoint: ScheduleShipmentEndpoint,
        data: ({ saga }) => ({ orderId: saga.orderId, address: saga.shipTo ?? refuseStep(NO_ADDRESS), lines: saga.lines }),
      },
      compensation: { endpoint: CancelShipmentEndpoint, data: ({ saga, reason }) => ({ orderId: saga.orderId, reason }) },
      ...BEFORE_THE_PIVOT,
    }),
    // The pivot: sent until orders answers, however long that takes.
    step('confirmOrder', {
      pivot: true,
      action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
      ...AT_AND_AFTER_THE_PIVOT,
    }),
    // After the pivot: sent with the same id until payments answers; PaymentCaptureFailed fails the instance.
    step('capturePayment', { action: { endpoint: CapturePaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) }, ...AT_AND_AFTER_THE_PIVOT }),
  ],
});
