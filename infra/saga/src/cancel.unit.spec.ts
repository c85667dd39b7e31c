import { checkout, cart } from '../test/checkout-saga';
import { cancellation, defineSaga, reply, sagaSpec, started } from '.';

// A cart its owner abandons: the checkout saga names the event that cancels it.
const cancellable = defineSaga({
  ...checkout,
  cancelledBy: { type: 'CartAbandoned', reason: (event) => `abandoned: ${(event.data as { why: string }).why}` },
});
const spec = sagaSpec(cancellable);
const abandoned = cancellation('CartAbandoned', { cartId: 'cart-1', why: 'found it cheaper' });
const REASON = 'abandoned: found it cheaper';

const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1', item });
const charged = reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' });
const release = (item: string) => ({ target: 'warehouse', type: 'ReleaseItem', aggregateId: item, data: { cartId: 'cart-1', item } });
const refund = { target: 'payments', type: 'Refund', aggregateId: 'cart-1', data: { cartId: 'cart-1' } };
const reopen = { target: 'carts', type: 'ReopenCart', aggregateId: 'cart-1', data: { cartId: 'cart-1', reason: REASON } };
const released = (item: string) => reply({ step: 'hold', line: item, kind: 'compensation' }, 'ItemReleased', { cartId: 'cart-1', item });
const refunded = reply({ step: 'charge', kind: 'compensation' }, 'Refunded', { cartId: 'cart-1' });
const reopened = reply({ step: 'cart', kind: 'compensation' }, 'CartReopened', { cartId: 'cart-1' });

describe('a cancellation request', () => {
  it('compensates what the instance did before its pivot, with the request’s reason', () => {
    spec
      .given([started(cart), held('pen'), held('ink')])
      .when(abandoned)
      .thenRecords(['SagaCompensating', 'CommandIssued']);
    spec
      .given([started(cart), held('pen'), held('ink')])
      .when(abandoned)
      .thenIssues([refund]);
    expect(
      spec
        .given([started(cart)])
        .when(abandoned)
        .events()[0],
    ).toMatchObject({ type: 'SagaCompensating', data: { step: 'hold', reason: REASON } });
  });

  it('undoes lines still unanswered too, since they may yet take effect, and records their late answers as late', () => {
    spec
      .given([started(cart), held('pen')])
      .when(abandoned)
      .thenIssues([release('pen'), release('ink')]);
    spec
      .given([started(cart), held('pen'), abandoned])
      .when(held('ink'))
      .thenIgnores('late');
  });

  it('walks the rollback down to the step without an action, and ends rolled back', () => {
    spec
      .given([started(cart), held('pen'), held('ink'), abandoned])
      .when(reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' }))
      .thenIgnores('late');
    spec
      .given([started(cart), held('pen'), held('ink'), abandoned, refunded])
      .when(released('pen'))
      .thenWaits();
    spec
      .given([started(cart), held('pen'), held('ink'), abandoned, refunded, released('pen')])
      .when(released('ink'))
      .thenIssues([reopen]);
    spec
      .given([started(cart), held('pen'), held('ink'), abandoned, refunded, released('pen'), released('ink')])
      .when(reopened)
      .thenRolledBack(REASON);
  });

  it('changes nothing once the pivot was sent: whoever asked undoes the rest otherwise', () => {
    spec
      .given([started(cart), held('pen'), held('ink'), charged])
      .when(abandoned)
      .thenNothing();
  });

  it('changes nothing while the instance compensates already, nor once it ended', () => {
    const refusedInk = reply({ step: 'hold', line: 'ink' }, 'ItemUnavailable', { cartId: 'cart-1', item: 'ink', left: 0, reason: 'ink is sold out' });
    spec
      .given([started(cart), held('pen'), refusedInk])
      .when(abandoned)
      .thenNothing();
    spec
      .given([started(cart), held('pen'), held('ink'), abandoned])
      .when(abandoned)
      .thenNothing();
    const rolledBack = [started(cart), held('pen'), held('ink'), abandoned, refunded, released('pen'), released('ink'), reopened];
    spec.given(rolledBack).when(abandoned).thenNothing();
  });

  it('changes nothing on a definition that names no cancellation', () => {
    sagaSpec(checkout)
      .given([started(cart), held('pen')])
      .when(abandoned)
      .thenNothing();
  });
});
