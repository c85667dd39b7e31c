import { checkout, cart } from '../test/checkout-saga';
import { commandIdFor, elapse, operator, reply, sagaSpec, SagaOperationRefused, started } from '.';

// An operator's actions, each a whole conversation: the failure, the action, the answers, the end.
const spec = sagaSpec(checkout);
const sagaId = 'checkout-cart-1';
const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1', item });
const unavailable = (item: string) => reply({ step: 'hold', line: item }, 'ItemUnavailable', { cartId: 'cart-1', item, reason: `${item} is sold out` });
const charged = reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' });
const refusedShipment = reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' });
const releaseRefused = (round: number) =>
  reply({ commandId: commandIdFor(sagaId, 'hold', 'pen', 'compensation', round) }, 'ReleaseRefused', { cartId: 'cart-1', reason: 'already shipped' });
const reopened = reply({ step: 'cart', kind: 'compensation' }, 'CartReopened', { cartId: 'cart-1' });
const ship = { target: 'shipping', type: 'Ship', aggregateId: 'cart-1', data: { cartId: 'cart-1' } };
const release = (item: string) => ({ target: 'warehouse', type: 'ReleaseItem', aggregateId: item, data: { cartId: 'cart-1', item } });
const refund = { target: 'payments', type: 'Refund', aggregateId: 'cart-1', data: { cartId: 'cart-1' } };

const failedAtPivot = [started(cart), held('pen'), held('ink'), charged, refusedShipment];
// A refused release is sent again twice, after 0.5 s and 1 s, before the instance fails.
const failedCompensating = [
  started(cart),
  held('pen'),
  unavailable('ink'),
  releaseRefused(0),
  elapse(500),
  releaseRefused(1),
  elapse(1_000),
  releaseRefused(2),
];

describe('retry', () => {
  it('sends a refused command again in a new round, and the instance goes on when it succeeds', () => {
    const retry = operator('retry', 'ops', 'courier is back');
    spec.given(failedAtPivot).when(retry).thenRecords(['OperatorRetried', 'CommandIssued']);
    spec.given(failedAtPivot).when(retry).thenIssues([ship]);
    const [, issued] = spec.given(failedAtPivot).when(retry).events();
    expect(issued).toMatchObject({ data: { round: 1, command: { commandId: commandIdFor(sagaId, 'ship', undefined, 'action', 1) } } });
    expect(spec.given(failedAtPivot).when(retry).events()[0]).toMatchObject({ type: 'OperatorRetried', data: { by: 'ops', reason: 'courier is back' } });
    const shippedNow = reply({ commandId: commandIdFor(sagaId, 'ship', undefined, 'action', 1) }, 'Shipped', { cartId: 'cart-1' });
    spec
      .given([...failedAtPivot, retry])
      .when(shippedNow)
      .thenIssues([{ target: 'mail', type: 'Notify', aggregateId: 'cart-1', data: { cartId: 'cart-1' } }]);
  });

  it('retries a refused compensation, and the rollback goes on', () => {
    const retry = operator('retry', 'ops', 'pen is back in stock');
    spec
      .given(failedCompensating)
      .when(retry)
      .thenIssues([release('pen')]);
    const releasedNow = reply({ commandId: commandIdFor(sagaId, 'hold', 'pen', 'compensation', 3) }, 'ItemReleased', { cartId: 'cart-1', item: 'pen' });
    spec
      .given([...failedCompensating, retry])
      .when(releasedNow)
      .thenIssues([{ target: 'carts', type: 'ReopenCart', aggregateId: 'cart-1', data: { cartId: 'cart-1', reason: 'ink is sold out' } }]);
  });

  it('sends an unanswered command again with the same id when nothing failed', () => {
    const [, issued] = spec
      .given([started(cart), held('pen')])
      .when(operator('retry', 'ops', 'stuck'))
      .events();
    expect(issued).toMatchObject({ type: 'CommandIssued', data: { line: 'ink', command: { commandId: commandIdFor(sagaId, 'hold', 'ink', 'action') } } });
  });

  it('is refused once the instance ended', () => {
    spec
      .given([started(cart), held('pen'), held('ink'), charged, reply({ step: 'ship' }, 'Shipped'), reply({ step: 'notify' }, 'Notified')])
      .when(operator('retry', 'ops', 'again'))
      .thenThrows(SagaOperationRefused, /completed/);
  });
});

describe('force compensation', () => {
  it('compensates from the failed step down, the pivot included, with the operator named in the reason', () => {
    spec
      .given(failedAtPivot)
      .when(operator('compensate', 'ops', 'customer cancelled'))
      .thenRecords(['OperatorCompensated', 'SagaCompensating', 'CommandIssued']);
    spec
      .given(failedAtPivot)
      .when(operator('compensate', 'ops', 'customer cancelled'))
      .thenIssues([refund]);
  });

  it('undoes a line still unanswered, since it may yet take effect, and records its late answer as late', () => {
    const force = operator('compensate', 'ops', 'warehouse is down');
    spec
      .given([started(cart), held('pen')])
      .when(force)
      .thenIssues([release('pen'), release('ink')]);
    spec
      .given([started(cart), held('pen'), force])
      .when(held('ink'))
      .thenIgnores('late');
  });

  it('rolls back with the forced reason, the unanswered charge refunded first', () => {
    const force = operator('compensate', 'ops', 'customer cancelled');
    spec
      .given([started(cart), held('pen'), held('ink')])
      .when(force)
      .thenIssues([refund]);
    const refunded = reply({ step: 'charge', kind: 'compensation' }, 'Refunded', { cartId: 'cart-1' });
    const releasedBoth = ['pen', 'ink'].map((item) => reply({ step: 'hold', line: item, kind: 'compensation' }, 'ItemReleased', { cartId: 'cart-1', item }));
    spec
      .given([started(cart), held('pen'), held('ink'), force, refunded, ...releasedBoth])
      .when(reopened)
      .thenRolledBack('compensation forced by ops: customer cancelled');
  });

  it('is refused once the pivot succeeded or may have (sent, unanswered): nothing past it is undone', () => {
    const shipped = reply({ step: 'ship' }, 'Shipped', { cartId: 'cart-1' });
    const notifyRefused = [started(cart), held('pen'), held('ink'), charged, shipped];
    spec
      .given(notifyRefused)
      .when(operator('compensate', 'ops', 'customer cancelled'))
      .thenThrows(SagaOperationRefused, /past its pivot \(step ship was sent\)/);
    spec
      .given([started(cart), held('pen'), held('ink'), charged])
      .when(operator('compensate', 'ops', 'courier lost'))
      .thenThrows(SagaOperationRefused, /past its pivot/);
  });

  it('is refused while compensating already', () =>
    spec
      .given(failedCompensating)
      .when(operator('compensate', 'ops', 'again'))
      .thenThrows(SagaOperationRefused, /compensates already/));
});

describe('resolve', () => {
  it('ends a failed instance with the comment and who wrote it, and nothing is decided after', () => {
    const resolve = operator('resolve', 'ops', 'refunded by hand');
    spec.given(failedCompensating).when(resolve).thenRecords(['SagaResolved']);
    expect(spec.given(failedCompensating).when(resolve).events()[0]).toMatchObject({ data: { by: 'ops', comment: 'refunded by hand' } });
    spec
      .given([...failedCompensating, resolve])
      .when(operator('retry', 'ops', 'oops'))
      .thenThrows(SagaOperationRefused, /resolved/);
    spec
      .given([...failedCompensating, resolve])
      .when(reply({ step: 'hold', line: 'ink', kind: 'compensation' }, 'ItemReleased'))
      .thenIgnores('unknown');
  });
});
