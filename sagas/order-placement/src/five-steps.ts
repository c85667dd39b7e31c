// What versions 2 and 3 of order placement (the five-step flow) share: what an instance keeps
// of OrderPlaced, the cancellation that stops it, and its steps after the reservations. The
// payment steps take what differs between the versions (the amount, whether they apply). A
// change here changes version 2's decisions too: the replay check fails on it.
import { refuseStep, step, type IncomingEvent, type SagaStep } from '@ordo/saga';
import { ConfirmOrderEndpoint, OrderCancellationRequested, OrderPlaced } from '@ordo/orders-contract';
import { AuthorizePaymentEndpoint, CapturePaymentEndpoint, VoidPaymentEndpoint } from '@ordo/payments-contract';
import { CancelShipmentEndpoint, ScheduleShipmentEndpoint } from '@ordo/shipping-contract';
import { AT_AND_AFTER_THE_PIVOT, BEFORE_THE_PIVOT, type OrderPlacementData } from './first-steps';

/** Why an order without a card token is rejected: its payment cannot be authorized. */
export const NO_CARD_TOKEN = 'no card token was given';
/** Why an order without an address (placed before orders recorded one) is rejected. */
export const NO_ADDRESS = 'the order has no address to ship to';

export const placedWithPayment = (event: IncomingEvent): OrderPlacementData => {
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

/** How a version's payment steps differ: the amount it authorizes (or refuses to), and which orders pay at all. */
export interface PaymentOptions {
  amountOf: (saga: OrderPlacementData) => number;
  when?: (saga: OrderPlacementData) => boolean;
}

// Without a card token there is nothing to authorize: the step refuses, and the order is rejected.
export const authorizePaymentStep = ({ amountOf, when }: PaymentOptions): SagaStep<OrderPlacementData> =>
  step('authorizePayment', {
    action: {
      endpoint: AuthorizePaymentEndpoint,
      data: ({ saga }) => ({ orderId: saga.orderId, amountCents: amountOf(saga), cardToken: saga.cardToken ?? refuseStep(NO_CARD_TOKEN) }),
    },
    compensation: { endpoint: VoidPaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
    ...BEFORE_THE_PIVOT,
    ...(when && { when }),
  });

export const scheduleShipmentStep: SagaStep<OrderPlacementData> = step('scheduleShipment', {
  action: {
    endpoint: ScheduleShipmentEndpoint,
    data: ({ saga }) => ({ orderId: saga.orderId, address: saga.shipTo ?? refuseStep(NO_ADDRESS), lines: saga.lines }),
  },
  compensation: { endpoint: CancelShipmentEndpoint, data: ({ saga, reason }) => ({ orderId: saga.orderId, reason }) },
  ...BEFORE_THE_PIVOT,
});

// The pivot: sent until orders answers, however long that takes.
export const confirmOrderStep: SagaStep<OrderPlacementData> = step('confirmOrder', {
  pivot: true,
  action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
  ...AT_AND_AFTER_THE_PIVOT,
});

// After the pivot: sent with the same id until payments answers; PaymentCaptureFailed fails the instance.
export const capturePaymentStep = ({ when }: Pick<PaymentOptions, 'when'> = {}): SagaStep<OrderPlacementData> =>
  step('capturePayment', {
    action: { endpoint: CapturePaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
    ...AT_AND_AFTER_THE_PIVOT,
    ...(when && { when }),
  });
