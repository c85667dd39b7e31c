import { checkout, cart, type Checkout } from '../test/checkout-saga';
import { commandIdFor, reply, sagaSpec, started, trigger, UnhandledSagaFailure } from '.';

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

  it('compensates nothing at or after the pivot: a refusal there needs an operator', () => {
    const refused = reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' });
    spec
      .given([started(cart), held('pen'), held('ink'), charged])
      .when(refused)
      .thenThrows(UnhandledSagaFailure, /pivot.*no courier/);
  });

  it('throws, naming it, when a compensation is refused', () => {
    const refused = reply({ step: 'hold', line: 'pen', kind: 'compensation' }, 'ReleaseRefused', { cartId: 'cart-1', reason: 'already shipped' });
    spec
      .given([started(cart), held('pen'), unavailable('ink')])
      .when(refused)
      .thenThrows(UnhandledSagaFailure, /ReleaseItem of step hold \(line pen\).*already shipped/);
  });
});

describe('replies that decide nothing', () => {
  it('ignores a repeated reply', () =>
    spec
      .given([started(cart), held('pen')])
      .when(held('pen'))
      .thenNothing());

  it('ignores a second, different answer to an answered command', () =>
    spec
      .given([started(cart), held('pen')])
      .when(unavailable('pen'))
      .thenNothing());

  it('ignores a reply to a command the instance never issued', () => {
    spec
      .given([started(cart)])
      .when(reply({ commandId: 'someone-elses' }, 'ItemHeld'))
      .thenNothing();
    spec
      .given([started(cart)])
      .when(reopened)
      .thenNothing();
  });

  it('ignores an event of a type the step does not declare, even with a known command id', () =>
    spec
      .given([started(cart)])
      .when(reply({ step: 'hold', line: 'pen' }, 'ItemRestocked'))
      .thenNothing());

  it('ignores a late reply after the instance finished', () =>
    spec
      .given([started(cart), unavailable('pen'), unavailable('ink'), reopened])
      .when(unavailable('ink'))
      .thenNothing());

  it('ignores replies when there is no instance', () => spec.given().when(held('pen')).thenNothing());
});
