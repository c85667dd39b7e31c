import { checkout, cart } from '../test/checkout-saga';
import { reply, sagaSpec, started, UnhandledSagaFailure } from '.';

// The kit must fail a test whose expectation is wrong, or the saga tests prove nothing.
const spec = sagaSpec(checkout);
const held = (item: string) => reply({ step: 'hold', line: item }, 'ItemHeld', { cartId: 'cart-1', item });
const unavailable = (item: string) => reply({ step: 'hold', line: item }, 'ItemUnavailable', { cartId: 'cart-1', item, reason: `${item} is sold out` });
const reopened = reply({ step: 'cart', kind: 'compensation' }, 'CartReopened', { cartId: 'cart-1' });
const release = (item: string) => ({ target: 'warehouse', type: 'ReleaseItem', aggregateId: item, data: { cartId: 'cart-1', item } });

describe('sagaSpec', () => {
  const failing = spec.given([started(cart), held('pen')]).when(unavailable('ink'));

  it('fails thenIssues on other commands, other order, or none expected', () => {
    failing.thenIssues([release('pen')]);
    expect(() => failing.thenIssues([release('ink')])).toThrow();
    expect(() => failing.thenIssues([release('pen'), release('ink')])).toThrow();
    expect(() => failing.thenIssues([])).toThrow(/thenWaits or thenNothing/);
  });

  it('fails thenWaits, thenNothing and thenCompleted when the saga moved on', () => {
    expect(() => failing.thenWaits()).toThrow();
    expect(() => failing.thenNothing()).toThrow();
    expect(() => failing.thenCompleted()).toThrow();
  });

  it('fails thenRolledBack on another reason', () => {
    const rollback = spec.given([started(cart), unavailable('pen'), unavailable('ink')]).when(reopened);
    rollback.thenRolledBack('pen is sold out');
    expect(() => rollback.thenRolledBack('ink is sold out')).toThrow();
  });

  it('fails thenThrows when nothing is thrown, or another message', () => {
    expect(() => failing.thenThrows(UnhandledSagaFailure)).toThrow();
    // A history naming a step the definition lacks: the engine cannot decide on it.
    const [, issued] = spec.given().when(started(cart)).events();
    if (issued?.type !== 'CommandIssued') throw new Error('expected a CommandIssued');
    const gone = { type: 'CommandIssued' as const, data: { ...issued.data, step: 'gone', command: { ...issued.data.command, commandId: 'gone-1' } } };
    const unknownStep = spec.given([started(cart), gone]).when(reply({ commandId: 'gone-1' }, 'ItemHeld'));
    unknownStep.thenThrows(UnhandledSagaFailure, /no step gone/);
    expect(() => unknownStep.thenThrows(UnhandledSagaFailure, /something else/)).toThrow();
  });

  it('fails thenFailed when the instance did not fail, or for another reason', () => {
    const refused = spec
      .given([started(cart), held('pen'), held('ink'), reply({ step: 'charge' }, 'Charged', {})])
      .when(reply({ step: 'ship' }, 'ShipmentRefused', { reason: 'gone' }));
    refused.thenFailed(/gone/);
    expect(() => refused.thenFailed(/something else/)).toThrow();
    expect(() => failing.thenFailed(/./)).toThrow(/expected SagaFailed/);
  });

  it('fails thenIgnores on another why, or when the reply counted', () => {
    const second = spec.given([started(cart), held('pen')]).when(unavailable('pen'));
    second.thenIgnores('duplicate');
    expect(() => second.thenIgnores('late')).toThrow();
    expect(() => failing.thenIgnores('duplicate')).toThrow();
  });

  it('accepts recorded saga events as history, not only stimuli', () => {
    const history = spec.given().when(started(cart)).events();
    spec.given(history).when(held('pen')).thenWaits();
  });
});
