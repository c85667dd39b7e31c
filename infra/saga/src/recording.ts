// What an instance decides on, as one union: the runner hands every decision it appended to
// a recorder (a tool recording fixtures), and the replay check decides each recorded input
// again. Pure: `decideOn` routes an input to the core function the runner calls for it.
import { cancel, type CancelInput } from './cancel';
import { wake } from './deadlines';
import { sagaDecider, type SagaInput } from './decide';
import type { SagaDefinition } from './definition';
import type { SagaEvent, SagaState } from './instance';
import { operate, type OperatorInput } from './operate';

/** The scheduler woke the instance at `now`; `id` is what the events it causes derive their ids from. */
export interface WakeInput {
  type: 'Wake';
  id: string;
  now: string;
}

/** A trigger, a reply, a wake-up, an operator's request or a cancellation request, with the time it was decided at. */
export type DecisionInput = SagaInput | WakeInput | OperatorInput | CancelInput;

/** One decision the runner appended to an instance's stream. */
export interface SagaDecision<Data = unknown> {
  sagaId: string;
  /** The definition version the instance runs on. */
  version: number;
  /** The stream revision of the first event decided: decisions of one instance sort by it. */
  revision: bigint;
  input: DecisionInput;
  decided: SagaEvent<Data>[];
}

/**
 * Receives each decision once its events are stored. It runs inside the handling of the
 * input and sees the runner's own objects: it must not change them, and a throw fails
 * that handling after the events were stored.
 */
export type SagaRecorder<Data = unknown> = (decision: SagaDecision<Data>) => void;

/** The events `definition` decides for `input` on `state`: what the runner would append. */
export const decideOn = <Data>(definition: SagaDefinition<Data>, state: SagaState<Data>, input: DecisionInput): SagaEvent<Data>[] => {
  switch (input.type) {
    case 'StartSaga':
    case 'HandleReply':
      return sagaDecider(definition).decide(input, state);
    case 'Wake':
      return state.status === 'not-started' ? [] : wake(definition, state, input);
    case 'Operate':
      if (state.status === 'not-started') throw new Error(`an operator's ${input.action} reached an instance that has not started`);
      return operate(definition, state, input);
    case 'Cancel':
      return state.status === 'not-started' ? [] : cancel(definition, state, input);
    default: {
      const unknown: never = input;
      throw new Error(`unknown decision input ${JSON.stringify(unknown)}`);
    }
  }
};
