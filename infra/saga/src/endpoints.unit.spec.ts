// A step is typed by the endpoint it names. The first part runs: how a failure's reason is
// read. The second never runs; the static level's `tsc` checks it, and fails if a line
// marked @ts-expect-error compiles.
import { cart, HoldItemEndpoint, ReopenCartEndpoint, type Checkout } from '../test/checkout-saga';
import { byDataField, defineSaga, fanOut, reply, sagaSpec, started, step, type ReasonReaders, type SagaStep } from '.';

const holding = (reason?: ReasonReaders<typeof HoldItemEndpoint>) =>
  defineSaga<Checkout>({
    name: 'holding',
    version: 1,
    trigger: { type: 'CartSubmitted', data: (event) => event.data as Checkout, key: (saga) => saga.cartId },
    association: byDataField('cartId'),
    steps: [
      step('cart', { compensation: { endpoint: ReopenCartEndpoint, data: ({ saga, reason: why }) => ({ cartId: saga.cartId, reason: why }) } }),
      fanOut('hold', {
        over: (saga) => saga.items,
        key: (line) => line.item,
        action: {
          endpoint: HoldItemEndpoint,
          data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item, count: line.count }),
          reason,
        },
      }),
    ],
  });

const reopen = (reason: string) => ({ target: 'carts', type: 'ReopenCart', aggregateId: 'cart-1', data: { cartId: 'cart-1', reason } });
const pen = { ...cart, items: [{ item: 'pen', count: 2 }] };
const unavailable = (data: object) => reply({ step: 'hold', line: 'pen' }, 'ItemUnavailable', { cartId: 'cart-1', ...data });

describe("a failure's reason", () => {
  it("is the failure's `reason` unless the step reads it", () =>
    sagaSpec(holding())
      .given([started(pen)])
      .when(unavailable({ item: 'pen', left: 1, reason: 'pen is short' }))
      .thenIssues([reopen('pen is short')]));

  it('is read by the step from the failure as its schema parses it', () =>
    sagaSpec(holding({ ItemUnavailable: ({ item, left }) => `${left} ${item} left` }))
      .given([started(pen)])
      .when(unavailable({ item: 'pen', left: 1, reason: 'pen is short' }))
      .thenIssues([reopen('1 pen left')]));

  it('is read tolerantly by default: a failure its schema refuses still names its reason', () =>
    sagaSpec(holding())
      .given([started(pen)])
      .when(unavailable({ reason: 'pen is short' }))
      .thenIssues([reopen('pen is short')]));

  it('names the reply, the command and the line when there is none to read, and the failure still fails the step', () => {
    sagaSpec(holding({ ItemUnavailable: ({ item, left }) => `${left} ${item} left` }))
      .given([started(pen)])
      .when(unavailable({ reason: 'pen is short' }))
      .thenIssues([reopen('ItemUnavailable answered HoldItem (line pen)')]);
    sagaSpec(holding())
      .given([started(pen)])
      .when(unavailable({ item: 'pen', left: 1 }))
      .thenIssues([reopen('ItemUnavailable answered HoldItem (line pen)')]);
  });
});

// ---- what does not compile -------------------------------------------------------------

const steps = (...each: SagaStep<Checkout>[]) => each;
const over = (saga: Checkout) => saga.items;
const key = (line: { item: string }) => line.item;

export const neverRun = () =>
  steps(
    fanOut('extraField', {
      over,
      key,
      // @ts-expect-error: HoldItem has no `colour`
      action: { endpoint: HoldItemEndpoint, data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item, count: line.count, colour: 'red' }) },
    }),
    fanOut('missingField', {
      over,
      key,
      // @ts-expect-error: HoldItem needs a `count`
      action: { endpoint: HoldItemEndpoint, data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item }) },
    }),
    fanOut('wrongType', {
      over,
      key,
      // @ts-expect-error: HoldItem's `count` is a number
      action: { endpoint: HoldItemEndpoint, data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item, count: String(line.count) }) },
    }),
    step('noLine', {
      // @ts-expect-error: a step that does not fan out has no line
      action: { endpoint: ReopenCartEndpoint, data: ({ saga, line }) => ({ cartId: saga.cartId, reason: String(line) }) },
    }),
    step('noReasonBeforeFailing', {
      // @ts-expect-error: an action has no reason to give: nothing failed yet
      action: { endpoint: ReopenCartEndpoint, data: ({ saga, reason }) => ({ cartId: saga.cartId, reason }) },
    }),
    step('successAsFailure', {
      action: {
        endpoint: HoldItemEndpoint,
        data: ({ saga }) => ({ cartId: saga.cartId, item: 'pen', count: 1 }),
        // @ts-expect-error: ItemHeld is no failure of HoldItem
        reason: { ItemHeld: () => 'held' },
      },
    }),
    step('unknownReply', {
      action: {
        endpoint: HoldItemEndpoint,
        data: ({ saga }) => ({ cartId: saga.cartId, item: 'pen', count: 1 }),
        // @ts-expect-error: HoldItem has no reply ItemLost
        reason: { ItemLost: () => 'lost' },
      },
    }),
    step('noFailures', {
      action: {
        endpoint: ReopenCartEndpoint,
        data: ({ saga }) => ({ cartId: saga.cartId, reason: 'reopened' }),
        // @ts-expect-error: ReopenCart has no failure replies to read
        reason: { CartReopened: () => 'reopened' },
      },
    }),
    step('unknownReasonField', {
      action: {
        endpoint: HoldItemEndpoint,
        data: ({ saga }) => ({ cartId: saga.cartId, item: 'pen', count: 1 }),
        // @ts-expect-error: ItemUnavailable has no `colour`
        reason: { ItemUnavailable: (unavailable) => unavailable.colour },
      },
    }),
  );
