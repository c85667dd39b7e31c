import { expect } from '@jest/globals';

/** A decider as Ordo shapes it: three pure functions (@ordo/eventstore's `Decider`, which this package cannot import: the store's specs use it). */
export interface Decider<State, Command, Event> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

type ErrorClass = new (...args: never[]) => Error;

/**
 * Given / when / then for a decider (Emmett's DeciderSpecification): given past events,
 * when a command, then these new events, or this error.
 *
 *   const spec = deciderSpec(stock);
 *   spec.given([added(5)]).when(reserve(7)).then([rejected(7, 5)]);
 */
export const deciderSpec = <State, Command, Event>(decider: Decider<State, Command, Event>) => ({
  given: (history: Event[]) => ({
    when: (command: Command) => {
      const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: Event[]) => expect(run()).toEqual(expected),
        thenNothing: () => expect(run()).toEqual([]),
        thenThrows: (error: ErrorClass, message?: string | RegExp) => {
          expect(run).toThrow(error);
          if (message !== undefined) expect(run).toThrow(message);
        },
      };
    },
  }),
});
