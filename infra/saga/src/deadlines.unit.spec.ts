import { checkout, cart, type Checkout } from '../test/checkout-saga';
import {
  commandIdFor,
  wake,
  defineSaga,
  describeSaga,
  elapse,
  nextWakeOf,
  operator,
  reply,
  sagaSpec,
  SagaDefinitionError,
  started,
  step,
  type StartedSaga,
  type Stimulus,
} from '.';

// Deadlines and retries, each a whole conversation on the clock (docs/sagas.md, "Deadlines and retries").
// The checkout saga's holds wait 10 s and are sent twice before the pivot gives up; its
// shipment (the pivot) waits 60 s and is sent until it is answered, 1 s, 2 s, then 4 s apart.
const spec = sagaSpec(checkout);
const sagaId = 'checkout-cart-1';
const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1', item });
const released = (item: string) => reply({ step: 'hold', line: item, kind: 'compensation' }, 'ItemReleased', { cartId: 'cart-1', item });
const charged = reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' });
const shipped = reply({ step: 'ship' }, 'Shipped', { cartId: 'cart-1' });
const release = (item: string) => ({ target: 'warehouse', type: 'ReleaseItem', aggregateId: item, data: { cartId: 'cart-1', item } });
const atPivot = [started(cart), held('pen'), held('ink'), charged];

describe('a sending has a deadline', () => {
  it("is due back by its step's timeoutMs, and nothing happens before then", () => {
    const [, issued] = spec.given().when(started(cart)).events();
    expect(issued).toMatchObject({ type: 'CommandIssued', data: { step: 'hold', line: 'pen', dueAt: '2030-01-01T00:00:10.000Z' } });
    spec
      .given([started(cart)])
      .when(elapse(9_999))
      .thenNothing();
  });

  it('has none when its step sets no timeoutMs: it waits until an operator acts', () => {
    const notify = spec
      .given(atPivot)
      .when(shipped)
      .events()
      .find((event) => event.type === 'CommandIssued');
    expect(notify).toMatchObject({ data: { step: 'notify' } });
    expect(notify?.data).not.toHaveProperty('dueAt');
    spec
      .given([...atPivot, shipped])
      .when(elapse(365 * 24 * 3_600_000))
      .thenNothing();
  });
});

describe('before the pivot', () => {
  it("sends a timed-out action again with the same id after the backoff, then compensates when the step's attempts are spent", () => {
    spec
      .given([started(cart), held('ink')])
      .when(elapse(10_000))
      .thenRecords(['StepTimedOut', 'RetryScheduled']);
    const timedOutOnce = [started(cart), held('ink'), elapse(10_000)];
    spec.given(timedOutOnce).when(elapse(499)).thenNothing();
    const [again] = spec.given(timedOutOnce).when(elapse(500)).events();
    expect(again).toMatchObject({
      type: 'CommandIssued',
      data: { line: 'pen', attempt: 2, dueAt: '2030-01-01T00:00:20.500Z', command: { commandId: commandIdFor(sagaId, 'hold', 'pen', 'action') } },
    });
    const sentTwice = [...timedOutOnce, elapse(500)];
    spec.given(sentTwice).when(elapse(10_000)).thenRecords(['StepTimedOut', 'SagaCompensating', 'CommandIssued', 'CommandIssued']);
    // Both lines are undone: the hold that got no answer may yet have taken effect.
    spec
      .given(sentTwice)
      .when(elapse(10_000))
      .thenIssues([release('pen'), release('ink')]);
    const [, compensating] = spec.given(sentTwice).when(elapse(10_000)).events();
    expect(compensating).toMatchObject({ data: { reason: 'the HoldItem of step hold (line pen) got no reply within 10000 ms in 2 attempts' } });
  });

  it('ignores the timed-out action answering late, and rolls back once the undoing is answered', () => {
    const rollingBack = [started(cart), held('ink'), elapse(10_000), elapse(500), elapse(10_000)];
    spec.given(rollingBack).when(held('pen')).thenIgnores('late');
    spec
      .given([...rollingBack, released('pen'), released('ink')])
      .when(reply({ step: 'cart', kind: 'compensation' }, 'CartReopened', {}))
      .thenRolledBack('the HoldItem of step hold (line pen) got no reply within 10000 ms in 2 attempts');
  });

  it('sends an action whose attempts are Number.POSITIVE_INFINITY until answered, with the same id and the backoff capped', () => {
    const holdUntilAnswered = defineSaga<Checkout>({
      ...checkout,
      steps: checkout.steps.map((each) =>
        each.name === 'hold' ? { ...each, retry: { attempts: Number.POSITIVE_INFINITY, backoffMs: 500, maxBackoffMs: 2_000 } } : each,
      ),
    });
    const patient = sagaSpec(holdUntilAnswered);
    // Each cycle: the 10 s deadline passes, then the backoff (500 ms, 1 s, 2 s, 2 s, ...) before the same id goes again.
    const backoffs = [500, 1_000, 2_000, 2_000, 2_000, 2_000];
    const history: Stimulus<Checkout>[] = [started(cart), held('ink')];
    backoffs.forEach((backoff, index) => {
      patient.given(history).when(elapse(10_000)).thenRecords(['StepTimedOut', 'RetryScheduled']);
      history.push(elapse(10_000));
      patient
        .given(history)
        .when(elapse(backoff - 1))
        .thenNothing();
      const [again] = patient.given(history).when(elapse(backoff)).events();
      expect(again).toMatchObject({
        type: 'CommandIssued',
        data: { attempt: index + 2, command: { commandId: commandIdFor(sagaId, 'hold', 'pen', 'action') } },
      });
      history.push(elapse(backoff));
    });
    patient
      .given(history)
      .when(held('pen'))
      .thenIssues([{ target: 'payments', type: 'Charge', aggregateId: 'cart-1', data: { cartId: 'cart-1', amountCents: 1250 } }]);
  });

  it('times out every line that is due in one wake-up', () => {
    spec
      .given([started(cart)])
      .when(elapse(10_000))
      .thenRecords(['StepTimedOut', 'RetryScheduled', 'StepTimedOut', 'RetryScheduled']);
  });
});

describe('a reply that comes after its timeout, before the resend', () => {
  const answeredLate = [started(cart), held('ink'), elapse(10_000), held('pen')];

  it('cancels the resend: nothing goes again, and the saga goes on', () => {
    spec
      .given(answeredLate.slice(0, 3))
      .when(held('pen'))
      .thenIssues([{ target: 'payments', type: 'Charge', aggregateId: 'cart-1', data: { cartId: 'cart-1', amountCents: 1250 } }]);
    spec.given(answeredLate).when(elapse(500)).thenNothing();
    expect(nextWakeOf(spec.given(answeredLate).state() as StartedSaga)).not.toBe('2030-01-01T00:00:10.500Z');
  });

  it('never undoes anything once the pivot was sent, even if a step before it times out then', () => {
    // A hold sent again (its answer lost) and timing out after the shipment was sent: recorded, nothing undone or sent.
    const state = spec.given([...atPivot, reply({ step: 'ship' }, 'Shipped', { cartId: 'cart-1' })]).state() as StartedSaga<Checkout>;
    const resentHold = {
      ...state,
      commands: state.commands.map((sent) =>
        sent.line === 'pen' && sent.kind === 'action' ? { ...sent, outcome: undefined, attempt: 2, dueAt: '2030-01-01T00:00:05.000Z' } : sent,
      ),
    };
    const decided = wake(checkout, resentHold, { id: 'wake', now: '2030-01-01T00:00:05.000Z' });
    expect(decided.map((event) => event.type)).toEqual(['StepTimedOut']);
  });
});

describe('at and after the pivot', () => {
  it('sends a timed-out action again with the same id until a definite reply, the waits doubling to their cap, and never compensates', () => {
    spec.given(atPivot).when(elapse(60_000)).thenRecords(['StepTimedOut', 'RetryScheduled']);
    let history: Stimulus<Checkout>[] = [...atPivot];
    for (const [index, wait] of [1_000, 2_000, 4_000, 4_000].entries()) {
      history = [...history, elapse(60_000)];
      spec
        .given(history)
        .when(elapse(wait - 1))
        .thenNothing();
      const [resent] = spec.given(history).when(elapse(wait)).events();
      expect(resent).toMatchObject({
        type: 'CommandIssued',
        data: { attempt: index + 2, command: { commandId: commandIdFor(sagaId, 'ship', undefined, 'action') } },
      });
      history = [...history, elapse(wait)];
    }
    spec
      .given(history)
      .when(shipped)
      .thenIssues([{ target: 'mail', type: 'Notify', aggregateId: 'cart-1', data: { cartId: 'cart-1' } }]);
  });
});

describe('compensations', () => {
  it('sends a timed-out compensation again with the same id until it is answered', () => {
    const refunding = [...atPivot.slice(0, 3), reply({ step: 'charge' }, 'ChargeDeclined', { cartId: 'cart-1', reason: 'card declined' })];
    // Declined: the holds are released; a release that gets no reply within 10 s goes again, 1 s later (the default backoff).
    spec
      .given([...refunding, released('ink')])
      .when(elapse(10_000))
      .thenRecords(['StepTimedOut', 'RetryScheduled']);
    spec
      .given([...refunding, released('ink'), elapse(10_000)])
      .when(elapse(500))
      .thenIssues([release('pen')]);
  });
});

describe('an instance that waits for an operator', () => {
  it('acts on no deadline once failed, and again once an operator retried', () => {
    const failed = [...atPivot, reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' })];
    spec.given(failed).when(elapse(3_600_000)).thenNothing();
    const retried = [...failed, operator('retry', 'ops', 'courier is back')];
    spec.given(retried).when(elapse(60_000)).thenRecords(['StepTimedOut', 'RetryScheduled']);
  });
});

describe('what a view shows', () => {
  it('is stuck when its next wake-up is over 30 s late, and running until then', () => {
    const state = spec.given([started(cart)]).state() as StartedSaga;
    expect(nextWakeOf(state)).toBe('2030-01-01T00:00:10.000Z');
    expect(describeSaga(state, { now: new Date('2030-01-01T00:00:40.000Z') }).status).toBe('running');
    expect(describeSaga(state, { now: new Date('2030-01-01T00:00:40.001Z') }).status).toBe('stuck');
    expect(describeSaga(state, { now: new Date('2030-01-01T00:00:40.001Z') }).nextWakeAt).toBe('2030-01-01T00:00:10.000Z');
  });

  it('shows a sending timed out, its attempt and when it goes again', () => {
    const state = spec.given([...atPivot, elapse(60_000)]).state() as StartedSaga;
    const shipStep = describeSaga(state, { now: new Date('2030-01-01T00:01:00.000Z') }).steps.find((each) => each.name === 'ship');
    expect(shipStep?.commands).toEqual([expect.objectContaining({ timeouts: 1, retryAt: '2030-01-01T00:01:01.000Z' })]);
    expect(shipStep?.commands[0]).not.toHaveProperty('dueAt');
    expect(nextWakeOf(spec.given([...atPivot, shipped, reply({ step: 'notify' }, 'Notified', {})]).state() as StartedSaga)).toBeUndefined();
  });
});

describe('policies are checked where they are written', () => {
  it.each([
    ['a timeout of 0', { timeoutMs: 0 }],
    ['a fraction of a millisecond', { timeoutMs: 1.5 }],
    ['no attempt', { retry: { attempts: 0 } }],
    ['a fraction of an attempt', { retry: { attempts: 1.5 } }],
    ['a negative backoff', { compensationRetry: { backoffMs: -1 } }],
  ])('refuses %s', (_, policy) => {
    expect(() =>
      defineSaga({
        name: 'bad',
        version: 1,
        trigger: { type: 'Started', data: () => ({}), key: () => 'k' },
        association: () => undefined,
        steps: [step('only', policy)],
      }),
    ).toThrow(SagaDefinitionError);
  });
});
