// Every way an order-cancellation instance goes, as a run on the shop (shop.ts): the order is
// placed on order placement's version 2 and confirmed first, then its owner cancels it.
import { CAPTURE_FAILS_CARD } from './payments-and-shipping';
import type { Scenario } from './scenarios';
import { SHIP_TO, type Shop } from './shop';

const LINES = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];

/** Placed, confirmed and its payment captured: the placement saga completed. */
const completed = async (shop: Shop, orderId: string) => {
  await shop.place(orderId, LINES, 0, { cardToken: 'tok_visa', shipTo: SHIP_TO });
  await shop.untilStatus(orderId, 'completed');
};

export const scenariosCancellation: Scenario[] = [
  {
    name: 'cancelled-refunded',
    what: 'a confirmed order whose payment was captured is cancelled: the shipment cancelled, both lines released, the payment refunded, the order cancelled',
    run: async (shop, orderId) => {
      await completed(shop, orderId);
      await shop.cancel(orderId, 'found it cheaper');
      await shop.untilStatus(orderId, 'completed', 'order-cancellation');
    },
  },
  {
    name: 'cancelled-voided',
    what: 'a confirmed order whose capture was refused is cancelled: the shipment cancelled, both lines released, the authorization voided, the order cancelled',
    run: async (shop, orderId) => {
      await shop.place(orderId, LINES, 0, { cardToken: CAPTURE_FAILS_CARD, shipTo: SHIP_TO });
      await shop.untilStatus(orderId, 'failed');
      await shop.cancel(orderId, 'changed my mind');
      await shop.untilStatus(orderId, 'completed', 'order-cancellation');
    },
  },
  {
    name: 'shipment-dispatched',
    what: 'the shipment of a confirmed order left the warehouse before its cancellation reached shipping: the cancellation refused, nothing released, rolled back',
    run: async (shop, orderId) => {
      await completed(shop, orderId);
      shop.participants.dispatch(orderId);
      await shop.cancel(orderId, 'too late');
      await shop.untilStatus(orderId, 'rolled-back', 'order-cancellation');
    },
  },
];
