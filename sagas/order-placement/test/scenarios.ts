// Every way an order-placement instance goes, as a run on the shop (shop.ts): one instance a
// scenario, its order id derived from the scenario's name so that a recording made again names
// the same instances. Each ends its instance: the clock moves on only for the scenario at hand.
import { eventIdFor } from '@ordo/eventstore';
import { HELD_SKU, SILENT_SKU, TWICE_SKU, type Shop } from './shop';

export interface Scenario {
  /** The fixture's file name. */
  name: string;
  /** What happens, as the fixture says it. */
  what: string;
  run(shop: Shop, orderId: string): Promise<void>;
}

export const orderIdOf = (scenario: Scenario) => eventIdFor(`order-placement fixture/${scenario.name}`, 0);

const count = (types: string[], type: string) => types.filter((each) => each === type).length;
const DEADLINE_MS = 30_000;
const BACKOFF_MS = 1_000;

/** Both lines reserved, then SKU_SILENT's reservation times out, is sent again, and times out again. */
const timeOutTwice = async (shop: Shop, orderId: string) => {
  await shop.until(orderId, (types) => types.includes('ReplyReceived'), 'SKU-1 reserved');
  shop.advance(DEADLINE_MS);
  await shop.until(orderId, (types) => types.includes('RetryScheduled'), 'the silent reservation timed out');
  shop.advance(BACKOFF_MS);
  await shop.until(orderId, (types) => count(types, 'CommandIssued') === 3, 'the silent reservation sent again');
  shop.advance(DEADLINE_MS);
  await shop.until(orderId, (types) => types.includes('SagaCompensating'), 'the second sending timed out');
};

export const scenarios: Scenario[] = [
  {
    name: 'completed',
    what: 'both lines reserved, the order confirmed',
    run: async (shop, orderId) => {
      await shop.place(orderId, [
        { sku: 'SKU-1', quantity: 2 },
        { sku: 'SKU-2', quantity: 3 },
      ]);
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'out-of-stock',
    what: 'SKU-2 refused (3 left, 5 asked): SKU-1 released, the order rejected, rolled back',
    run: async (shop, orderId) => {
      await shop.place(orderId, [
        { sku: 'SKU-1', quantity: 2 },
        { sku: 'SKU-2', quantity: 5 },
      ]);
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'timed-out',
    what: `nobody answers the reservation of ${SILENT_SKU}: it times out after 30 s, is sent again after 1 s, times out again, and the saga compensates`,
    run: async (shop, orderId) => {
      await shop.place(orderId, [
        { sku: 'SKU-1', quantity: 1 },
        { sku: SILENT_SKU, quantity: 1 },
      ]);
      await timeOutTwice(shop, orderId);
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'operator-compensates',
    what: `nobody answers the reservation of ${SILENT_SKU}; an operator forces compensation before its deadline`,
    run: async (shop, orderId) => {
      await shop.place(orderId, [
        { sku: 'SKU-1', quantity: 1 },
        { sku: SILENT_SKU, quantity: 1 },
      ]);
      await shop.until(orderId, (types) => types.includes('ReplyReceived'), 'SKU-1 reserved');
      await shop.act(orderId, 'compensate', { reason: 'the warehouse is down' });
      await shop.untilStatus(orderId, 'rolled-back');
    },
  },
  {
    name: 'operator-resolves',
    what: `nobody answers the reservation of ${SILENT_SKU}; an operator resolves the instance, saying what was done by hand`,
    run: async (shop, orderId) => {
      await shop.place(orderId, [
        { sku: 'SKU-1', quantity: 1 },
        { sku: SILENT_SKU, quantity: 1 },
      ]);
      await shop.until(orderId, (types) => types.includes('ReplyReceived'), 'SKU-1 reserved');
      await shop.act(orderId, 'resolve', { comment: 'reserved by phone, order confirmed by hand' });
      await shop.untilStatus(orderId, 'resolved');
    },
  },
  {
    name: 'operator-retries',
    what: `the reservation of ${HELD_SKU} waits for its answer; an operator sends it again (the same id), then inventory answers and the order is confirmed`,
    run: async (shop, orderId) => {
      await shop.place(orderId, [{ sku: HELD_SKU, quantity: 1 }]);
      await shop.until(orderId, (types) => types.includes('CommandIssued'), 'the reservation sent');
      await shop.act(orderId, 'retry', { reason: 'inventory restarted' });
      await shop.until(orderId, (types) => types.includes('OperatorRetried'), 'the reservation sent again');
      await shop.answerHeld(orderId);
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'duplicate-trigger',
    what: 'orders records OrderPlaced twice, under two ids: the second starts nothing and appends nothing; the order completes',
    run: async (shop, orderId) => {
      const lines = [{ sku: 'SKU-1', quantity: 1 }];
      await shop.place(orderId, lines);
      // On the order's stream, so it reaches the saga before OrderConfirmed does, and before the instance completes.
      await shop.place(orderId, lines, 1);
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'reply-twice',
    what: `inventory answers the reservation of ${TWICE_SKU} twice, under two ids: the second is recorded as ReplyIgnored (duplicate); the order completes`,
    run: async (shop, orderId) => {
      await shop.place(orderId, [{ sku: TWICE_SKU, quantity: 1 }]);
      await shop.until(orderId, (types) => types.includes('ReplyIgnored'), 'the second answer recorded');
      await shop.untilStatus(orderId, 'completed');
    },
  },
  {
    name: 'late-reply',
    what: `the reservation of ${HELD_SKU} times out twice and the saga rolls back; then inventory answers it, which is recorded as ReplyIgnored (late)`,
    run: async (shop, orderId) => {
      await shop.place(orderId, [
        { sku: 'SKU-1', quantity: 1 },
        { sku: HELD_SKU, quantity: 1 },
      ]);
      await timeOutTwice(shop, orderId);
      await shop.untilStatus(orderId, 'rolled-back');
      await shop.answerHeld(orderId);
      await shop.until(orderId, (types) => types.at(-1) === 'ReplyIgnored', 'the late answer recorded');
    },
  },
];
