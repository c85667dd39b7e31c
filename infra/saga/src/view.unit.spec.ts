import { checkout, cart } from '../test/checkout-saga';
import { describeSaga, operator, reply, sagaDecider, sagaSpec, sagaViewSchema, started, type SagaEvent, type Stimulus } from '.';

const spec = sagaSpec(checkout);
const decider = sagaDecider(checkout);
const stateAfter = (stimuli: Stimulus<typeof cart>[]) => {
  let events: SagaEvent<typeof cart>[] = [];
  for (const stimulus of stimuli) events = [...events, ...spec.given(events).when(stimulus).events()];
  const state = events.reduce(decider.evolve, decider.initialState());
  if (state.status === 'not-started') throw new Error('not started');
  return state;
};
const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1' });
const statuses = (stimuli: Stimulus<typeof cart>[]) => describeSaga(stateAfter(stimuli)).steps.map((step) => `${step.name}:${step.status}`);

describe('describeSaga', () => {
  it('shows each step of the outline with its status', () => {
    expect(statuses([started(cart)])).toEqual(['cart:succeeded', 'hold:running', 'charge:pending', 'ship:pending', 'notify:pending']);
    expect(statuses([started(cart), held('pen'), held('ink')])).toEqual([
      'cart:succeeded',
      'hold:succeeded',
      'charge:running',
      'ship:pending',
      'notify:pending',
    ]);
  });

  it('shows a rollback: the failing step, its compensated lines, the reason', () => {
    const unavailable = reply({ step: 'hold', line: 'ink' }, 'ItemUnavailable', { cartId: 'cart-1', reason: 'ink is sold out' });
    const released = reply({ step: 'hold', line: 'pen', kind: 'compensation' }, 'ItemReleased');
    const reopened = reply({ step: 'cart', kind: 'compensation' }, 'CartReopened');
    const view = describeSaga(stateAfter([started(cart), held('pen'), unavailable, released, reopened]));
    expect(view).toMatchObject({ sagaId: 'checkout-cart-1', status: 'rolled-back', reason: 'ink is sold out' });
    expect(view.steps.map((step) => step.status)).toEqual(['compensated', 'compensated', 'pending', 'pending', 'pending']);
    expect(view.steps[1]?.commands).toEqual([
      expect.objectContaining({ kind: 'action', type: 'HoldItem', line: 'pen', outcome: 'success', replyType: 'ItemHeld' }),
      expect.objectContaining({ kind: 'action', type: 'HoldItem', line: 'ink', outcome: 'failure', reason: 'ink is sold out' }),
      expect.objectContaining({ kind: 'compensation', type: 'ReleaseItem', line: 'pen', outcome: 'success' }),
    ]);
    expect(sagaViewSchema.parse(view)).toEqual(view);
  });

  it('shows every step succeeded once completed', () => {
    const answers = [held('pen'), held('ink'), reply({ step: 'charge' }, 'Charged'), reply({ step: 'ship' }, 'Shipped'), reply({ step: 'notify' }, 'Notified')];
    expect(describeSaga(stateAfter([started(cart), ...answers])).status).toBe('completed');
    expect(statuses([started(cart), ...answers]).every((status) => status.endsWith(':succeeded'))).toBe(true);
  });

  it("shows who did what to the instance and why, oldest first: an operator's trail", () => {
    const answers = [held('pen'), held('ink'), reply({ step: 'charge' }, 'Charged', { cartId: 'cart-1' })];
    const refusedShipment = reply({ step: 'ship' }, 'ShipmentRefused', { cartId: 'cart-1', reason: 'no courier' });
    expect(describeSaga(stateAfter([started(cart), ...answers, refusedShipment])).operatorActions).toEqual([]);

    const view = describeSaga(
      stateAfter([started(cart), ...answers, refusedShipment, operator('retry', 'ops', 'courier is back'), operator('resolve', 'lead', 'shipped by hand')]),
    );
    expect(view.status).toBe('resolved');
    expect(view.operatorActions).toEqual([
      { action: 'retry', by: 'ops', reason: 'courier is back', at: expect.any(String) },
      { action: 'resolve', by: 'lead', reason: 'shipped by hand', at: expect.any(String) },
    ]);
    expect(sagaViewSchema.parse(view)).toEqual(view);
  });
});
