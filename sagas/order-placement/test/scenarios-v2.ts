// Every way a version 2 (five-step) instance goes, as a run on the shop (shop.ts) with its
// payments and shipping stand-ins (payments-and-shipping.ts): one instance a scenario, as in
// scenarios.ts. Each ends its instance: the clock moves on only for the scenario at hand.
import { CAPTURE_FAILS_CARD, DECLINED_CARD, HELD_CARD, TWICE_CARD, UNSERVED_COUNTRY } from './payments-and-shipping';
import type { Scenario } from './scenarios';
import { SHIP_TO, type Paying, type Shop } from './shop';

const count = (types: string[], type: string) => types.filter((each) => each === type).length;
const DEADLINE_MS = 30_000;
const BACKOFF_MS = 1_000;
const LINES = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];
const CARD = 'tok_visa';

/** Both lines, paid with `paying`'s card (the good one unless named), shipped to Berlin unless elsewhere. */
const placeLines = (shop: Shop, orderId: string, paying: Paying = {}, lines = LINES) =>
  shop.place(orderId, lines, 0, { cardToken: CARD, shipTo: SHIP_TO, ...paying });

/** The capture is refused; the instance fails and waits for an operator. */
const captureFails = async (shop: Shop, orderId: string) => {
  await placeLines(shop, orderId, { cardToken: CAPTURE_FAILS_CARD });
  await shop.untilStatus(orderId, 'failed');
};

export const scenariosV2: Scenario[] = [
  {
    name: 'completed',
    what: 'both lines reserved, the payment authorized, the shipment scheduled, the order confirmed, the payment captured',
    run: async (shop, orderId) => {
      await placeLines(shop, orderId);
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'out-of-stock',
    what: 'SKU-2 refused (3 left, 5 asked): SKU-1 released, the order rejected, rolled back; payments is asked nothing',
    run: async (shop, orderId) => {
      await placeLines(shop, orderId, {}, [
        { sku: 'SKU-1', quantity: 2 },
        { sku: 'SKU-2', quantity: 5 },
      ]);
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'payment-declined',
    what: 'the payment declined (card declined): both lines released, the order rejected, rolled back',
    run: async (shop, orderId) => {
      await placeLines(shop, orderId, { cardToken: DECLINED_CARD });
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'shipment-refused',
    what: `shipping refuses to ship to ${UNSERVED_COUNTRY}: the payment voided, both lines released, the order rejected, rolled back`,
    run: async (shop, orderId) => {
      await placeLines(shop, orderId, { shipTo: { ...SHIP_TO, country: UNSERVED_COUNTRY } });
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'no-card-token',
    what: 'the order was placed without a card token: no AuthorizePayment is sent, both lines released, the order rejected, rolled back',
    run: async (shop, orderId) => {
      await shop.place(orderId, LINES, 0, { shipTo: SHIP_TO });
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'payment-times-out',
    what:
      'payments does not answer the authorization: it times out after 30 s, is sent again after 1 s, times out again, and the saga voids it, ' +
      'releases both lines and rejects the order; then payments answers it, which is recorded as ReplyIgnored (late)',
    run: async (shop, orderId) => {
      await placeLines(shop, orderId, { cardToken: HELD_CARD });
      await shop.until(orderId, (types) => count(types, 'CommandIssued') === 3, 'the authorization sent');
      shop.advance(DEADLINE_MS);
      await shop.until(orderId, (types) => types.includes('RetryScheduled'), 'the authorization timed out');
      shop.advance(BACKOFF_MS);
      await shop.until(orderId, (types) => count(types, 'CommandIssued') === 4, 'the authorization sent again');
      shop.advance(DEADLINE_MS);
      await shop.until(orderId, (types) => types.includes('SagaCompensating'), 'the second sending timed out');
      await shop.untilStatus(orderId, 'rolled-back');
      await shop.participants.answerHeldAuthorization(orderId);
      await shop.until(orderId, (types) => types.at(-1) === 'ReplyIgnored', 'the late answer recorded');
    },
  },
  {
    name: 'capture-fails-resolved',
    what: 'after the order is confirmed the capture is refused (the authorization expired): the instance fails; an operator resolves it',
    run: async (shop, orderId) => {
      await captureFails(shop, orderId);
      await shop.act(orderId, 'resolve', { comment: 'captured by hand at the provider' });
      await shop.untilStatus(orderId, 'resolved');
    },
  },
  {
    name: 'capture-fails-retried',
    what: 'after the order is confirmed the capture is refused: the instance fails; an operator retries it (a new round), payments captures, it completes',
    run: async (shop, orderId) => {
      await captureFails(shop, orderId);
      await shop.act(orderId, 'retry', { reason: 'the provider renewed the authorization' });
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'cancelled-while-authorizing',
    what:
      'the owner cancels the order while payments has not answered the authorization: the saga voids it, releases both lines and ' +
      'rejects the order, which orders answers with OrderCancelled; rolled back; the authorization answered later is recorded as late',
    run: async (shop, orderId) => {
      await placeLines(shop, orderId, { cardToken: HELD_CARD });
      await shop.until(orderId, (types) => count(types, 'CommandIssued') === 3, 'the authorization sent');
      await shop.cancel(orderId, 'ordered the wrong size');
      await shop.untilStatus(orderId, 'rolled-back');
      await shop.participants.answerHeldAuthorization(orderId);
      await shop.until(orderId, (types) => types.at(-1) === 'ReplyIgnored', 'the late answer recorded');
    },
  },
  {
    name: 'cancelled-after-confirmation',
    what:
      'the order completes, then its owner cancels it: the instance decides nothing on the request, and records the cancellation ' +
      "saga's replies that reach it (the releases, the cancelled shipment, the cancelled order) as ReplyIgnored (unknown)",
    run: async (shop, orderId) => {
      await placeLines(shop, orderId);
      await shop.untilStatus(orderId, 'completed');
      await shop.cancel(orderId, 'found it cheaper');
      await shop.untilStatus(orderId, 'completed', 'order-cancellation');
      await shop.until(orderId, (types) => count(types, 'ReplyIgnored') === 4, 'the four replies recorded as unknown');
    },
  },
  {
    name: 'duplicate-trigger',
    what: 'orders records OrderPlaced twice, under two ids: the second starts nothing and appends nothing; the order completes',
    run: async (shop, orderId) => {
      const paying = { cardToken: CARD, shipTo: SHIP_TO };
      await shop.place(orderId, LINES, 0, paying);
      await shop.place(orderId, LINES, 1, paying);
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'reply-twice',
    what: 'payments answers the authorization twice, under two ids: the second is recorded as ReplyIgnored (duplicate); the order completes',
    run: async (shop, orderId) => {
      await placeLines(shop, orderId, { cardToken: TWICE_CARD });
      await shop.until(orderId, (types) => types.includes('ReplyIgnored'), 'the second answer recorded');
      await shop.untilStatus(orderId, 'completed');
    },
  },
];
