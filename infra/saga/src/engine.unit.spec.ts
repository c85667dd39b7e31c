import { checkout, cart, type Checkout } from '../test/checkout-saga';
import { commandIdFor, elapse, reply, sagaSpec, started, trigger } from '.';

const spec = sagaSpec(checkout);
const sagaId = 'checkout-cart-1';

const submitted = (data: Checkout = cart) => trigger('CartSubmitted', data);
const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1', item });
const unavailable = (item: string) => reply({ step: 'hold', line: item }, 'ItemUnavailable', { cartId: 'cart-1', item, reason: `${item} is sold out` });
const released = (item: string) => reply({ step: 'hold', line: item, kind: 'compensation' }, 'ItemReleased', { cartId: 'cart-1', item });
const charged = reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' });
const declined = reply({ step: 'charge' }, 'ChargeDeclined', { cartId: 'cart-1', reason: 'card declined' });
const reopened = reply({ step: 'cart', kind: 'compensation' }, 'CartReopened', { cartId: 'cart-1' });

const hold = (item: string, count: number) => ({ target: 'warehouse', type: 'HoldItem', aggregateId: item, data: { cartId: 'cart-1', item, count } });
const release = (item: string) => ({ target: 'warehouse', type: 'ReleaseItem', aggregateId: item, data: { cartId: 'cart-1', item } });
const reopen = (reason: string) => ({ target: 'carts', type: 'ReopenCart', aggregateId: 'cart-1', data: { cartId: 'cart-1', reason } });
const charge = { target: 'payments', type: 'Charge', aggregateId: 'cart-1', data: { cartId: 'cart-1', amountCents: 1250 } };

describe('starting', () => {
  it('records the steps and issues one command per line of the first step with an action', () => {
    const events = spec.given().when(submitted()).events();
    expect(events[0]).toEqual({
      type: 'SagaStarted',
      data: {
        saga: 'checkout',
        version: 1,
        key: 'cart-1',
        data: cart,
        correlationId: 'correlation-1',
        at: '2030-01-01T00:00:00.000Z',
        steps: [
          { name: 'cart', compensation: 'ReopenCart' },
          { name: 'hold', command: 'HoldItem', target: 'warehouse', compensation: 'ReleaseItem', fanOut: true },
          { name: 'charge', command: 'Charge', target: 'payments', compensation: 'Refund' },
          { name: 'ship', command: 'Ship', target: 'shipping', pivot: true },
          { name: 'notify', command: 'Notify', target: 'mail' },
        ],
      },
    });
    spec
      .given()
      .when(submitted())
      .thenIssues([hold('pen', 2), hold('ink', 1)]);
  });

  it('derives command ids from saga, step, line and kind, and carries the correlation and the cause', () => {
    const submission = submitted();
    const [, issued] = spec.given().when(submission).events();
    expect(issued).toMatchObject({
      type: 'CommandIssued',
      data: {
        step: 'hold',
        line: 'pen',
        kind: 'action',
        command: { commandId: commandIdFor(sagaId, 'hold', 'pen', 'action'), metadata: { correlationId: 'correlation-1', causationId: submission.event.id } },
      },
    });
  });

  it('starts nothing when the instance exists', () =>
    spec
      .given([started(cart)])
      .when(submitted())
      .thenNothing());

  it('skips a fan-out step with no lines', () =>
    spec
      .given()
      .when(submitted({ ...cart, items: [] }))
      .thenIssues([charge]));
});

describe('going forward', () => {
  it('waits until every line of a step succeeded', () =>
    spec
      .given([started(cart)])
      .when(held('pen'))
      .thenWaits());

  it('issues the next step when the last line succeeds', () =>
    spec
      .given([started(cart), held('pen')])
      .when(held('ink'))
      .thenIssues([charge]));

  it('goes on through and past the pivot, then completes', () => {
    const shipped = reply({ step: 'ship' }, 'Shipped', { cartId: 'cart-1' });
    spec
      .given([started(cart), held('pen'), held('ink')])
      .when(charged)
      .thenIssues([{ target: 'shipping', type: 'Ship', aggregateId: 'cart-1', data: { cartId: 'cart-1' } }]);
    spec
      .given([started(cart), held('pen'), held('ink'), charged])
      .when(shipped)
      .thenIssues([{ target: 'mail', type: 'Notify', aggregateId: 'cart-1', data: { cartId: 'cart-1' } }]);
    spec
      .given([started(cart), held('pen'), held('ink'), charged, shipped])
      .when(reply({ step: 'notify' }, 'Notified'))
      .thenCompleted();
  });
});

describe('compensating', () => {
  it('undoes only the lines that succeeded when a line fails', () => {
    spec
      .given([started(cart), held('pen')])
      .when(unavailable('ink'))
      .thenRecords(['ReplyReceived', 'SagaCompensating', 'CommandIssued']);
    spec
      .given([started(cart), held('pen')])
      .when(unavailable('ink'))
      .thenIssues([release('pen')]);
  });

  it('waits for every line of the failing step before compensating', () => {
    spec
      .given([started(cart)])
      .when(unavailable('ink'))
      .thenWaits();
    spec
      .given([started(cart), unavailable('ink')])
      .when(held('pen'))
      .thenIssues([release('pen')]);
  });

  it('goes straight to the earlier steps when no line succeeded, with the first failing line as the reason', () => {
    spec
      .given([started(cart), unavailable('pen')])
      .when(unavailable('ink'))
      .thenIssues([reopen('pen is sold out')]);
  });

  it('compensates in reverse, one step at a time, the failed step itself excluded', () => {
    spec
      .given([started(cart), held('pen'), held('ink')])
      .when(declined)
      .thenIssues([release('pen'), release('ink')]);
    spec
      .given([started(cart), held('pen'), held('ink'), declined, released('pen')])
      .when(released('ink'))
      .thenIssues([reopen('card declined')]);
  });

  it('waits for every compensation of a step before the next', () =>
    spec
      .given([started(cart), held('pen'), held('ink'), declined])
      .when(released('pen'))
      .thenWaits());

  it('is rolled back once every compensation succeeded', () => {
    spec
      .given([started(cart), held('pen'), unavailable('ink'), released('pen')])
      .when(reopened)
      .thenRolledBack('ink is sold out');
  });

  it('compensates nothing at or after the pivot: a refusal there fails the instance for an operator', () => {
    const refused = reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' });
    spec
      .given([started(cart), held('pen'), held('ink'), charged])
      .when(refused)
      .thenRecords(['ReplyReceived', 'SagaFailed']);
    spec
      .given([started(cart), held('pen'), held('ink'), charged])
      .when(refused)
      .thenFailed(/Ship of step ship.*ShipmentRefused: no courier/);
  });

  it('sends a refused compensation again in a new round after a backoff, and fails the instance, naming the line, after the third refusal', () => {
    const refusedIn = (round: number) =>
      reply({ commandId: commandIdFor(sagaId, 'hold', 'pen', 'compensation', round) }, 'ReleaseRefused', { cartId: 'cart-1', reason: 'already shipped' });
    const compensating = [started(cart), held('pen'), held('ink'), declined];
    spec.given(compensating).when(refusedIn(0)).thenRecords(['ReplyReceived', 'RetryScheduled']);
    expect(spec.given(compensating).when(refusedIn(0)).events()[1]).toMatchObject({
      data: { step: 'hold', line: 'pen', kind: 'compensation', round: 1, sendAt: '2030-01-01T00:00:00.500Z' },
    });
    // Not before its time; then in round 1, a new command id.
    spec
      .given([...compensating, refusedIn(0)])
      .when(elapse(499))
      .thenNothing();
    const [resent] = spec
      .given([...compensating, refusedIn(0)])
      .when(elapse(500))
      .events();
    expect(resent).toMatchObject({ type: 'CommandIssued', data: { round: 1, command: { commandId: commandIdFor(sagaId, 'hold', 'pen', 'compensation', 1) } } });
    // The backoff doubles: the third sending waits 1 s.
    const secondRefusal = [...compensating, refusedIn(0), elapse(500), refusedIn(1)];
    spec.given(secondRefusal).when(elapse(999)).thenNothing();
    spec
      .given(secondRefusal)
      .when(elapse(1_000))
      .thenIssues([release('pen')]);
    // The other line's release still counts meanwhile; the rollback waits for pen's.
    spec.given(secondRefusal).when(released('ink')).thenWaits();
    spec
      .given([...secondRefusal, elapse(1_000)])
      .when(refusedIn(2))
      .thenFailed(/ReleaseItem of step hold \(line pen\).* refused 3 times.*already shipped/);
  });

  it('decides nothing more once failed: a reply to an answered command is a duplicate', () => {
    const refused = reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' });
    spec
      .given([started(cart), held('pen'), held('ink'), charged, refused])
      .when(reply({ step: 'ship' }, 'Shipped', { cartId: 'cart-1' }))
      .thenIgnores('duplicate');
  });
});

describe('a step whose command cannot be built (refuseStep)', () => {
  const free: Checkout = { ...cart, amountCents: 0 };

  it("sends none of it and compensates the steps before it with the builder's reason", () => {
    spec
      .given([started(free), held('pen')])
      .when(held('ink'))
      .thenRecords(['ReplyReceived', 'SagaCompensating', 'CommandIssued', 'CommandIssued']);
    spec
      .given([started(free), held('pen')])
      .when(held('ink'))
      .thenIssues([release('pen'), release('ink')]);
  });

  it('is rolled back with that reason once the compensations succeeded', () =>
    spec
      .given([started(free), held('pen'), held('ink'), released('pen'), released('ink')])
      .when(reopened)
      .thenRolledBack('nothing to charge'));

  it('compensates at once when it is the first step with an action', () => {
    const empty: Checkout = { ...free, items: [] };
    spec
      .given()
      .when(submitted(empty))
      .thenIssues([reopen('nothing to charge')]);
  });

  it('fails the instance for an operator at or after the pivot, compensating nothing', () => {
    const blocked: Checkout = { ...cart, shippingBlocked: 'the courier refuses this address' };
    spec
      .given([started(blocked), held('pen'), held('ink')])
      .when(charged)
      .thenRecords(['ReplyReceived', 'SagaFailed']);
    spec
      .given([started(blocked), held('pen'), held('ink')])
      .when(charged)
      .thenFailed(/^the courier refuses this address$/);
  });
});

describe('replies that decide nothing are recorded, and change nothing', () => {
  it('records a redelivered reply once: its second delivery records nothing', () =>
    spec
      .given([started(cart), held('pen')])
      .when(held('pen'))
      .thenNothing());

  it('records a second, different answer to an answered command as a duplicate', () =>
    spec
      .given([started(cart), held('pen')])
      .when(unavailable('pen'))
      .thenIgnores('duplicate'));

  it('records a reply to a command the instance never issued as unknown', () => {
    spec
      .given([started(cart)])
      .when(reply({ commandId: 'someone-elses' }, 'ItemHeld'))
      .thenIgnores('unknown');
    spec
      .given([started(cart)])
      .when(reopened)
      .thenIgnores('unknown');
  });

  it('records an event of a type the step does not declare as unknown, even with a known command id', () =>
    spec
      .given([started(cart)])
      .when(reply({ step: 'hold', line: 'pen' }, 'ItemRestocked'))
      .thenIgnores('unknown'));

  it('records a late reply after the instance finished, and its redelivery once', () => {
    const late = reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' });
    const rolledBack = [started(cart), unavailable('pen'), unavailable('ink'), reopened];
    spec.given(rolledBack).when(held('ink')).thenIgnores('duplicate');
    spec.given(rolledBack).when(late).thenIgnores('unknown');
    const [ignoredLate] = spec.given(rolledBack).when(late).events();
    expect(ignoredLate).toMatchObject({ type: 'ReplyIgnored', data: { why: 'unknown', replyType: 'Charged' } });
    spec
      .given([...rolledBack, late])
      .when(late)
      .thenNothing();
  });

  it('ignores replies when there is no instance', () => spec.given().when(held('pen')).thenNothing());
});
