// An operator's actions on an instance (docs/sagas.md, "Operators"): retry the current
// step, force compensation, mark resolved. Pure like the rest of the core: who, why and
// when come in with the input. A state that does not allow the action refuses it by
// throwing, since the operator is waiting for an answer (409 at the edge).
import { compensateFrom, issue, pastThePivot, stepNamed, type Cause } from './decide';
import type { SagaDefinition } from './definition';
import { ENDED_STATUSES, type SagaEvent, type SentCommand, type StartedSaga } from './instance';

export type OperatorAction = 'retry' | 'compensate' | 'resolve';

export interface OperatorInput {
  type: 'Operate';
  action: OperatorAction;
  /** The operator's subject. */
  by: string;
  /** Why (for `resolve`, the comment saying how it was resolved). */
  reason: string;
  /** The request's id: the ids of the events it causes derive from it. */
  id: string;
  now: string;
}

/** The instance's state does not allow the action. */
export class SagaOperationRefused extends Error {
  override name = 'SagaOperationRefused';
}

/**
 * Retry: a failed instance sends its refused commands again, each in a new round (a new
 * command id, since the target answers an id once); a running or compensating one (stuck)
 * sends its unanswered commands again with the same id, which the target answers once.
 */
const retry = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, input: OperatorInput, cause: Cause): SagaEvent<Data>[] => {
  const { failed } = state;
  const again = (sent: SentCommand) =>
    failed ? sent.step === failed.step && sent.kind === failed.kind && sent.outcome === 'failure' : sent.outcome === undefined;
  const commands = state.commands.filter(again);
  if (commands.length === 0) throw new SagaOperationRefused(`${state.sagaId} has no command to retry`);
  const retried: SagaEvent<Data> = { type: 'OperatorRetried', data: { by: input.by, reason: input.reason, at: input.now } };
  return [
    retried,
    ...commands.map((sent) => {
      const { step } = stepNamed(definition, sent.step);
      const invocation = sent.kind === 'action' ? step.action : step.compensation;
      if (!invocation) throw new SagaOperationRefused(`step ${sent.step} of ${definition.name} version ${definition.version} has no ${sent.kind}`);
      // After a refusal, a new round (a new id); a stuck command goes again as it was, one attempt more.
      const sending = failed ? { round: (sent.round ?? 0) + 1 } : { round: sent.round, attempt: (sent.attempt ?? 1) + 1 };
      return issue(state, step, invocation, sent.line, sent.kind, state.failure?.reason ?? '', cause, sending);
    }),
  ];
};

/** The step the instance is at: the one it failed on, else the last one it sent an action for. */
export const currentStep = <Data>(state: StartedSaga<Data>): string | undefined =>
  state.failed?.step ?? state.commands.filter((sent) => sent.kind === 'action').at(-1)?.step;

/**
 * Force compensation: from the current step down, undoing every line that was not refused
 * (also one still unanswered, which may yet take effect), with the operator's reason. Not
 * while compensating already (a refused compensation is retried or resolved), nor once
 * the pivot may have taken effect (a refused pivot is undone like any refusal before it).
 */
const compensate = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, input: OperatorInput, cause: Cause): SagaEvent<Data>[] => {
  if (state.status === 'compensating' || state.failed?.kind === 'compensation')
    throw new SagaOperationRefused(`${state.sagaId} compensates already: retry its compensation or resolve it`);
  const current = currentStep(state);
  if (current === undefined) throw new SagaOperationRefused(`${state.sagaId} has done nothing to compensate`);
  const { index } = stepNamed(definition, current);
  // Past the point of no return nothing is undone, by the engine or by hand: once the pivot
  // (or a step after it) succeeded, or was sent and may have, a confirmed order stays confirmed.
  const past = pastThePivot(definition, state);
  if (past) throw new SagaOperationRefused(`${state.sagaId} is past its pivot (step ${past.step} was sent): nothing is compensated there; retry or resolve it`);
  const reason = `compensation forced by ${input.by}: ${input.reason}`;
  return [
    { type: 'OperatorCompensated', data: { by: input.by, reason: input.reason, at: input.now } },
    { type: 'SagaCompensating', data: { step: current, reason, at: input.now } },
    ...compensateFrom(definition, state, index, reason, cause),
  ];
};

/** The events an operator's action appends; throws SagaOperationRefused when the state does not allow it. */
export const operate = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, input: OperatorInput): SagaEvent<Data>[] => {
  if (ENDED_STATUSES.includes(state.status)) throw new SagaOperationRefused(`${state.sagaId} is ${state.status}`);
  const cause = { id: input.id, now: input.now };
  switch (input.action) {
    case 'retry':
      return retry(definition, state, input, cause);
    case 'compensate':
      return compensate(definition, state, input, cause);
    case 'resolve':
      return [{ type: 'SagaResolved', data: { by: input.by, comment: input.reason, at: input.now } }];
    default: {
      const unknown: never = input.action;
      throw new Error(`unknown operator action ${String(unknown)}`);
    }
  }
};
