// The order-placement saga (docs/architecture.md, "The flow of one order"), version 2:
// reserve stock per line, authorize the payment, schedule the shipment, confirm the order
// (the pivot), capture the payment. Before the pivot a refusal undoes what was done, in
// reverse, and rejects the order with the refusal's reason. Instances started on
// version 1 finish on it (definition-v1.ts).
import { defineSaga, SagaDefinitionError, step } from '@ordo/saga';
import { ConfirmOrderEndpoint, type ShipTo } from '@ordo/orders-contract';
import { AuthorizePaymentEndpoint, CapturePaymentEndpoint, VoidPaymentEndpoint } from '@ordo/payments-contract';
import { CancelShipmentEndpoint, ScheduleShipmentEndpoint } from '@ordo/shipping-contract';
import { order, placement, reserveStock } from './first-steps';
import type { OrderPlacementData } from './order-placed';

export type { OrderPlacementData } from './order-placed';

/** Every OrderPlaced records its total; only an instance started on version 1 lacks it, and it never runs these steps. */
const totalOf = (saga: OrderPlacementData): number => {
  if (saga.totalCents === undefined) throw new SagaDefinitionError(`order ${saga.orderId} has no total: it was started on version 1`);
  return saga.totalCents;
};

/**
 * An order without a ship-to address was placed before orders checked customers, and so
 * before it took payment: its payment is declined (no card token) and rolled back before
 * this step, which is never reached for it.
 */
const shipToOf = (saga: OrderPlacementData): ShipTo => {
  if (!saga.shipTo) throw new SagaDefinitionError(`order ${saga.orderId} has no address to ship to`);
  return saga.shipTo;
};

// The reason of each refusal (StockReservationRejected's, PaymentDeclined's, ShipmentRefused's)
// is the reason the order is rejected with. An order placed before orders took payment has
// no card token: payments declines it, and the order is rejected with that reason.
export const orderPlacement = defineSaga<OrderPlacementData>({
  ...placement,
  version: 2,
  steps: [
    order, // no action; its compensation, RejectOrder, ends every rollback
    reserveStock,
    step('authorizePayment', {
      action: {
        endpoint: AuthorizePaymentEndpoint,
        data: ({ saga }) => ({ orderId: saga.orderId, amountCents: totalOf(saga), ...(saga.cardToken !== undefined && { cardToken: saga.cardToken }) }),
      },
      compensation: { endpoint: VoidPaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
    }),
    step('scheduleShipment', {
      action: { endpoint: ScheduleShipmentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId, address: shipToOf(saga), lines: saga.lines }) },
      compensation: { endpoint: CancelShipmentEndpoint, data: ({ saga, reason }) => ({ orderId: saga.orderId, reason }) },
    }),
    step('confirmOrder', { pivot: true, action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) } }),
    // After the pivot: a capture that fails is not compensated (it needs an operator).
    step('capturePayment', { action: { endpoint: CapturePaymentEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) } }),
  ],
});
