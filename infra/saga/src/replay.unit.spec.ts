import { checkout, cart } from '../test/checkout-saga';
import {
  commandIdFor,
  decideOn,
  defineSaga,
  evolve,
  fixtureOf,
  fixtureText,
  initialState,
  replayHistory,
  SagaDefinitionError,
  sagaFixtureSchema,
  type DecisionInput,
  type IncomingEvent,
  type SagaDecision,
  type SagaDefinition,
  type SagaStep,
} from '.';
import type { Checkout } from '../test/checkout-saga';

// The replay check must fail when a definition changes a decision: one recorded checkout,
// replayed against the definition that recorded it, then against changed ones.
const sagaId = 'checkout-cart-1';
const at = (ms: number) => new Date(Date.parse('2030-01-01T00:00:00.000Z') + ms).toISOString();
const answer = (id: string, type: string, step: string, line: string | undefined, ms: number): DecisionInput => ({
  type: 'HandleReply',
  reply: {
    id,
    type,
    data: { cartId: 'cart-1', ...(line && { item: line }) },
    metadata: { correlationId: 'corr-1', commandId: commandIdFor(sagaId, step, line, 'action') },
  },
  now: at(ms),
});
const submitted: IncomingEvent = { id: 'trigger-1', type: 'CartSubmitted', data: cart, metadata: { correlationId: 'corr-1' } };

// Both holds go out; the ink's gets no reply within 10 s and goes again; then the checkout runs to its end.
const inputs: DecisionInput[] = [
  { type: 'StartSaga', trigger: submitted, now: at(0) },
  answer('reply-pen', 'ItemHeld', 'hold', 'pen', 1_000),
  { type: 'Wake', id: 'wake-1', now: at(10_000) },
  { type: 'Wake', id: 'wake-2', now: at(10_500) },
  answer('reply-ink', 'ItemHeld', 'hold', 'ink', 11_000),
  answer('reply-charge', 'Charged', 'charge', undefined, 12_000),
  { type: 'Operate', action: 'retry', by: 'ops', reason: 'shipping was down', id: 'operator-1', now: at(13_000) },
  answer('reply-ship', 'Shipped', 'ship', undefined, 14_000),
  answer('reply-notify', 'Notified', 'notify', undefined, 15_000),
];

/** The decisions a runner with this definition would have recorded for these inputs. */
const recorded = (definition: SagaDefinition<Checkout>): SagaDecision[] => {
  let state = initialState<Checkout>();
  let revision = 0n;
  return inputs.map((input) => {
    const decided = decideOn(definition, state, input);
    const decision = { sagaId, version: definition.version, revision, input, decided };
    state = decided.reduce(evolve<Checkout>, state);
    revision += BigInt(decided.length);
    return decision;
  });
};
const fixture = fixtureOf(recorded(checkout), 'a checkout whose ink hold is sent twice and whose shipment an operator sends again');

/** The checkout with one step changed. */
const changed = (name: string, change: (step: SagaStep<Checkout>) => SagaStep<Checkout> | undefined) =>
  defineSaga<Checkout>({ ...checkout, steps: checkout.steps.flatMap((step) => (step.name === name ? (change(step) ?? []) : [step])) });

describe('replayHistory', () => {
  it('finds no difference against the definition that recorded the history, read back from its file', () => {
    expect(fixture.history.map(({ input }) => input.type)).toEqual(inputs.map((input) => input.type));
    expect(fixture.history.at(-1)?.decided.at(-1)).toMatchObject({ type: 'SagaCompleted' });
    const file = sagaFixtureSchema.parse(JSON.parse(fixtureText(fixture)));
    expect(file).toEqual(fixture);
    expect(replayHistory([checkout], file)).toBeUndefined();
  });

  it("names the instance, the input and the step when a step's timeout changed", () => {
    const difference = replayHistory([changed('hold', (step) => ({ ...step, timeoutMs: 20_000 }))], fixture);
    expect(difference).toMatchObject({
      instance: sagaId,
      index: 0,
      step: 'hold',
      expected: { type: 'CommandIssued', data: { line: 'pen', dueAt: at(10_000) } },
      actual: { type: 'CommandIssued', data: { line: 'pen', dueAt: at(20_000) } },
    });
    expect(difference?.message).toMatch(/^checkout-cart-1, input 0, step hold: the trigger CartSubmitted decides .*"dueAt":"2030-01-01T00:00:20.000Z"/);
  });

  it('names the step that was removed', () => {
    expect(replayHistory([changed('charge', () => undefined)], fixture)).toMatchObject({
      instance: sagaId,
      index: 0,
      step: 'charge',
      expected: { type: 'SagaStarted' },
    });
  });

  it('finds a changed retry policy at the wake-up it changes: the ink hold is no longer sent twice', () => {
    const difference = replayHistory([changed('hold', (step) => ({ ...step, retry: { attempts: 1 } }))], fixture);
    expect(difference).toMatchObject({
      instance: sagaId,
      index: 2,
      step: 'hold',
      expected: { type: 'RetryScheduled', data: { line: 'ink', attempt: 2 } },
      actual: { type: 'SagaCompensating' },
    });
    expect(difference?.message).toContain('input 2, step hold: a wake-up at 2030-01-01T00:00:10.000Z decides');
  });

  it('reports a decision that now throws, with the step the input answers', () => {
    const throwing = changed('ship', (step) => ({
      ...step,
      action: step.action && {
        ...step.action,
        build: () => {
          throw new SagaDefinitionError('no address to ship to');
        },
      },
    }));
    expect(replayHistory([throwing], fixture)).toMatchObject({
      instance: sagaId,
      index: 5,
      step: 'charge',
      actual: 'SagaDefinitionError: no address to ship to',
    });
  });

  it('replays a version by its own definition, and refuses a version the definitions lack', () => {
    const v2 = defineSaga<Checkout>({ ...checkout, version: 2, steps: checkout.steps.filter((step) => step.name !== 'charge') });
    expect(replayHistory([v2, checkout], fixture)).toBeUndefined();
    expect(replayHistory([v2], fixture)?.message).toBe(
      'checkout-cart-1, input 0: no definition of checkout version 1 (given: checkout 2); drop its fixtures with it',
    );
  });
});

describe('fixtureOf', () => {
  it('orders decisions by revision and keeps an incoming event as the engine reads it, without revision or position', () => {
    const decisions = recorded(checkout);
    const withStoreFields = decisions.map((decision) =>
      decision.input.type === 'HandleReply'
        ? { ...decision, input: { ...decision.input, reply: { ...decision.input.reply, revision: 3n, position: 9n } } }
        : decision,
    );
    expect(fixtureOf([...withStoreFields].reverse(), fixture.scenario)).toEqual(fixture);
  });

  it('refuses decisions that are not the whole stream', () => {
    const decisions = recorded(checkout);
    expect(() => fixtureOf(decisions.slice(1), 'late')).toThrow('checkout-cart-1: a decision at revision 3 follows the ones up to -1');
    expect(() => fixtureOf([...decisions.slice(0, 2), ...decisions.slice(3)], 'gap')).toThrow(/a decision at revision \d+ follows the ones up to \d+/);
  });
});
