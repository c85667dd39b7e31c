// Every way an order-cancellation instance goes, as a run on the shop (shop.ts): the order is
// placed on order placement's version 2 and confirmed first, then its owner cancels it.
// Version 2's scenarios are version 1's and one where shipping answers the CancelShipment late.
import { CAPTURE_FAILS_CARD } from './payments-and-shipping';
import type { Scenario } from './scenarios';
import { SHIP_TO, type Shop } from './shop';

const DEADLINE_MS = 30_000;
const count = (types: string[], type: string) => types.filter((each) => each === type).length;
const LINES = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];

/** Placed, confirmed and its payment captured: the placement saga completed. */
const completed = async (shop: Shop, orderId: string) => {
  await shop.place(orderId, LINES, 0, { cardToken: 'tok_visa', shipTo: SHIP_TO });
  await shop.untilStatus(orderId, 'completed');
};

export const scenariosCancellationV1: Scenario[] = [
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

export const scenariosCancellationV2: Scenario[] = [
  ...scenariosCancellationV1,
  {
    name: 'shipment-cancellation-waited-for',
    what:
      'shipping does not answer the CancelShipment: it times out three times and is sent again with the same id after 1 s, 2 s and 4 s; ' +
      'then shipping cancels the shipment: both lines released, the payment refunded, the order cancelled',
    run: async (shop, orderId) => {
      await completed(shop, orderId);
      shop.participants.holdShipmentCancellation(orderId);
      await shop.cancel(orderId, 'shipping was down');
      const issued = (sendings: number) => (types: string[]) => count(types, 'CommandIssued') === sendings;
      await shop.until(orderId, issued(1), 'the CancelShipment sent', 'orderCancellation');
      for (const [index, backoff] of [1_000, 2_000, 4_000].entries()) {
        shop.advance(DEADLINE_MS);
        await shop.until(orderId, (types) => count(types, 'RetryScheduled') === index + 1, 'the CancelShipment timed out', 'orderCancellation');
        shop.advance(backoff);
        await shop.until(orderId, issued(index + 2), 'the CancelShipment sent again', 'orderCancellation');
      }
      await shop.participants.answerHeldShipmentCancellation(orderId);
      await shop.untilStatus(orderId, 'completed', 'order-cancellation');
    },
  },
];
