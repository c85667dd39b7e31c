// A request from outside to call the saga's work off (docs/sagas.md, "Cancellation"): an
// event of another context that the definition names, such as an order's owner asking to
// cancel it. Before the pivot the instance compensates, as on a refusal, with the request's
// reason; from the pivot on it changes nothing, and whoever asked undoes the rest otherwise.
// Pure, like the rest of the core.
import { compensateFrom, stepNamed, pastThePivot, type Cause } from './decide';
import type { IncomingEvent, SagaDefinition } from './definition';
import { progress, type SagaEvent, type StartedSaga } from './instance';
import { currentStep } from './operate';

export interface CancelInput {
  type: 'Cancel';
  /** The event that asks: its id is what the events it causes derive their ids from. */
  request: IncomingEvent;
  now: string;
}

/**
 * The events a cancellation request decides. Only a running instance that has not sent
 * its pivot compensates: one compensating already finishes its rollback, one that has ended
 * or failed is left as it is, and one whose pivot may have taken effect cannot be undone
 * here. A definition that names no cancellation (an earlier version) decides nothing, so a
 * request delivered again decides nothing either.
 */
export const cancel = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, input: CancelInput): SagaEvent<Data>[] => {
  if (!definition.cancelledBy || state.status !== 'running' || pastThePivot(definition, state)) return [];
  const current = currentStep(state);
  if (current === undefined) return [];
  const { index } = stepNamed(definition, current);
  const reason = definition.cancelledBy.reason(input.request);
  const cause: Cause = { id: input.request.id, now: input.now };
  const compensating = { type: 'SagaCompensating', data: { step: current, reason, at: input.now } } as const;
  return [compensating, ...compensateFrom(definition, progress(state, compensating), index, reason, cause)];
};
