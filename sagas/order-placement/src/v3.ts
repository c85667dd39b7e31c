// The order-placement saga, third version: version 2's five steps (v2.ts), but a free order
// (a total of 0: a 100 % voucher, a free sample) is confirmed without a payment: its
// authorization and its capture do not apply, so nothing is authorized, captured, or voided
// in a rollback. An order without a total (placed before orders recorded one) is still
// rejected, with a reason of its own.
import { byDataField, defineSaga, refuseStep } from '@ordo/saga';
import { orderStep, reserveStockStep, type OrderPlacementData } from './first-steps';
import { authorizePaymentStep, cancelledBecause, capturePaymentStep, confirmOrderStep, placedWithPayment, scheduleShipmentStep } from './five-steps';

/** Why an order without a total is rejected: there is no amount to authorize. */
export const NO_TOTAL = 'the order has no total: there is no amount to authorize';

// An order without a total is not free: its authorization applies, and refuses.
const paysSomething = ({ totalCents }: OrderPlacementData): boolean => totalCents !== 0;
const amountOf = ({ totalCents }: OrderPlacementData): number => totalCents ?? refuseStep(NO_TOTAL);

export const orderPlacementV3 = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 3,
  trigger: { type: 'OrderPlaced', data: placedWithPayment, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  // Before the pivot the owner's cancellation undoes the order like a refusal; after it, orders starts the cancellation saga.
  cancelledBy: { type: 'OrderCancellationRequested', reason: cancelledBecause },
  steps: [
    orderStep,
    reserveStockStep,
    authorizePaymentStep({ amountOf, when: paysSomething }),
    scheduleShipmentStep,
    confirmOrderStep,
    capturePaymentStep({ when: paysSomething }),
  ],
});
