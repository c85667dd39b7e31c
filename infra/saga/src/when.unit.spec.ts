import { checkout, cart, type Checkout } from '../test/checkout-saga';
import { defineSaga, describeSaga, elapse, fanOut, operator, reply, sagaSpec, SagaOperationRefused, started, type StartedSaga, type Stimulus } from '.';

// A step's `when` (docs/sagas.md, "Defining a saga"): the checkout saga charges only a cart
// that was not prepaid, and notifies only one that is not silent. A step the data do not
// pass sends nothing, undoes nothing, and the saga goes on with the next step.
const spec = sagaSpec(checkout);
const prepaid: Checkout = { ...cart, prepaid: true };
const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1', item });
const released = (item: string) => reply({ step: 'hold', line: item, kind: 'compensation' }, 'ItemReleased', { cartId: 'cart-1', item });
const reopened = reply({ step: 'cart', kind: 'compensation' }, 'CartReopened', { cartId: 'cart-1' });
const shipped = reply({ step: 'ship' }, 'Shipped', { cartId: 'cart-1' });
const shipmentRefused = reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' });

const ship = { target: 'shipping', type: 'Ship', aggregateId: 'cart-1', data: { cartId: 'cart-1' } };
const notify = { target: 'mail', type: 'Notify', aggregateId: 'cart-1', data: { cartId: 'cart-1' } };
const release = (item: string) => ({ target: 'warehouse', type: 'ReleaseItem', aggregateId: item, data: { cartId: 'cart-1', item } });
const reopen = (reason: string) => ({ target: 'carts', type: 'ReopenCart', aggregateId: 'cart-1', data: { cartId: 'cart-1', reason } });
const heldBoth = [held('pen'), held('ink')];

describe('a step whose `when` the data fail', () => {
  it('sends nothing: the saga goes on with the next step', () =>
    spec
      .given([started(prepaid), held('pen')])
      .when(held('ink'))
      .thenIssues([ship]));

  it('is skipped after the pivot too, and the last one skipped completes the saga', () => {
    const silent: Checkout = { ...cart, prepaid: true, silent: true };
    spec
      .given([started(silent), ...heldBoth])
      .when(shipped)
      .thenCompleted();
    spec
      .given([started(prepaid), ...heldBoth])
      .when(shipped)
      .thenIssues([notify]);
  });

  it('undoes nothing in a rollback: the steps before it are compensated, and it sends no compensation', () => {
    // The same table with its pivot moved to notify, so that a refused shipment compensates.
    const shipBeforeThePivot = defineSaga<Checkout>({
      ...checkout,
      steps: checkout.steps.map((each) => ({ ...each, pivot: each.name === 'notify' })),
    });
    const early = sagaSpec(shipBeforeThePivot);
    early
      .given([started(prepaid), ...heldBoth])
      .when(shipmentRefused)
      .thenIssues([release('pen'), release('ink')]);
    early
      .given([started(prepaid), ...heldBoth, shipmentRefused, released('pen')])
      .when(released('ink'))
      .thenIssues([reopen('no courier')]);
    early
      .given([started(prepaid), ...heldBoth, shipmentRefused, released('pen'), released('ink')])
      .when(reopened)
      .thenRolledBack('no courier');
  });

  it("is never sent by an operator's retry: a stuck instance sends its unanswered commands again, a failed one its refused ones", () => {
    spec
      .given([started(prepaid), ...heldBoth, elapse(120_000)])
      .when(operator('retry', 'ops', 'courier is back'))
      .thenIssues([ship]);
    const blocked: Checkout = { ...prepaid, shippingBlocked: 'no address' };
    spec
      .given([started(blocked), ...heldBoth])
      .when(operator('retry', 'ops', 'address fixed'))
      .thenThrows(SagaOperationRefused, /has no command to retry/);
  });

  it('applies to a fan-out too: a step over lines the data fail has none', () => {
    const holdUnlessPrepaid = fanOut('hold', {
      over: (saga: Checkout) => saga.items,
      key: (line) => line.item,
      when: (saga) => saga.prepaid !== true,
    });
    expect(holdUnlessPrepaid.lines(cart)).toEqual(['pen', 'ink']);
    expect(holdUnlessPrepaid.lines(prepaid)).toEqual([]);
  });
});

describe('the view of a skipped step', () => {
  const statuses = (stimuli: Stimulus<Checkout>[]) =>
    describeSaga(spec.given(stimuli).state() as StartedSaga).steps.map((step) => `${step.name}:${step.status}`);

  it('reads skipped once a later step was reached, and pending before', () => {
    expect(statuses([started(prepaid), held('pen')])).toEqual(['cart:succeeded', 'hold:running', 'charge:pending', 'ship:pending', 'notify:pending']);
    expect(statuses([started(prepaid), ...heldBoth])).toEqual(['cart:succeeded', 'hold:succeeded', 'charge:skipped', 'ship:running', 'notify:pending']);
    const silent: Checkout = { ...prepaid, silent: true };
    expect(statuses([started(silent), ...heldBoth, shipped])).toEqual([
      'cart:succeeded',
      'hold:succeeded',
      'charge:skipped',
      'ship:succeeded',
      'notify:skipped',
    ]);
  });
});
