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
    const refused = spec
      .given([started(cart), held('pen'), unavailable('ink')])
      .when(reply({ step: 'hold', line: 'pen', kind: 'compensation' }, 'ReleaseRefused', { reason: 'gone' }));
    refused.thenThrows(UnhandledSagaFailure, /gone/);
    expect(() => refused.thenThrows(UnhandledSagaFailure, /something else/)).toThrow();
  });

  it('accepts recorded saga events as history, not only stimuli', () => {
    const history = spec.given().when(started(cart)).events();
    spec.given(history).when(held('pen')).thenWaits();
  });
});
