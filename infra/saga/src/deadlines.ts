// What an instance does when its scheduler wakes it (docs/sagas.md, "Deadlines and retries"):
// a sending whose deadline passed times out, and a retry whose time came is sent. Pure, like
// the rest of the core: the time comes in with the input.
import { compensateFrom, issue, pastThePivot, stepNamed, type Cause } from './decide';
import { pivotIndex, type SagaDefinition } from './definition';
import { evolveStarted, progress, type SagaEvent, type SentCommand, type StartedSaga } from './instance';
import { actionAttempts, backoffAfter, later, retryPolicyOf } from './policies';

/**
 * Whether the instance still waits on a sending's deadline or retry: not once it failed
 * (an operator acts) or ended, and not on an action while compensating, since every action
 * without a refusal is being undone then, whatever it answers.
 */
const waitsOn = (state: StartedSaga, sent: SentCommand) => state.status === 'running' || (state.status === 'compensating' && sent.kind === 'compensation');

/**
 * When a sending wants the instance woken: its retry's time, else its deadline while it
 * waits for a reply. A resend of the same id is only due while no answer came (a new
 * round, after a refused compensation, is due though the refusal is its answer).
 */
const wakeTimeOf = (state: StartedSaga, sent: SentCommand): string | undefined => {
  if (!waitsOn(state, sent)) return undefined;
  if (sent.retry && (sent.outcome === undefined || sent.retry.round !== (sent.round ?? 0))) return sent.retry.sendAt;
  return sent.outcome === undefined ? sent.dueAt : undefined;
};

const described = (sent: SentCommand) => `${sent.type} of step ${sent.step}${sent.line === undefined ? '' : ` (line ${sent.line})`}`;

/**
 * A timed-out sending: before the pivot an action is sent again until its step's attempts
 * are spent, then the saga compensates; at and after the pivot, and for a compensation, it
 * is sent again with the same id until a definite reply.
 */
const timedOut = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, sent: SentCommand, cause: Cause): SagaEvent<Data>[] => {
  const { index, step } = stepNamed(definition, sent.step);
  const attempt = sent.attempt ?? 1;
  const { commandId, line, kind } = sent;
  const recorded: SagaEvent<Data> = {
    type: 'StepTimedOut',
    data: { commandId, step: step.name, ...(line !== undefined && { line }), kind, attempt, at: cause.now },
  };
  // Past the pivot a step before it no longer matters (and nothing is undone): recorded, not sent again.
  if (kind === 'action' && index < pivotIndex(definition) && pastThePivot(definition, state)) return [recorded];
  if (kind === 'action' && index < pivotIndex(definition) && attempt >= actionAttempts(step)) {
    const tries = attempt === 1 ? '' : ` in ${attempt} attempts`;
    const reason = `the ${described(sent)} got no reply within ${step.timeoutMs ?? 0} ms${tries}`;
    const compensating: SagaEvent<Data> = { type: 'SagaCompensating', data: { step: step.name, reason, at: cause.now } };
    const after = progress(progress(state, recorded), compensating);
    return [recorded, compensating, ...compensateFrom(definition, after, index, reason, cause)];
  }
  const sendAt = later(cause.now, backoffAfter(retryPolicyOf(step, kind), attempt));
  const round = sent.round ?? 0;
  return [
    recorded,
    { type: 'RetryScheduled', data: { step: step.name, ...(line !== undefined && { line }), kind, round, attempt: attempt + 1, sendAt, at: cause.now } },
  ];
};

/** A retry whose time came: the command again, in the round and attempt its RetryScheduled named. */
const resend = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, sent: SentCommand, cause: Cause): SagaEvent<Data>[] => {
  const { step } = stepNamed(definition, sent.step);
  const invocation = sent.kind === 'action' ? step.action : step.compensation;
  if (!invocation || !sent.retry) return [];
  const { round, attempt } = sent.retry;
  return [issue(state, step, invocation, sent.line, sent.kind, state.failure?.reason ?? '', cause, { round, attempt })];
};

/** ISO times of one format compare as strings. */
const isDue = (time: string | undefined, now: string) => time !== undefined && time <= now;

/**
 * The events an instance records when woken at `cause.now`: each sending that is due, one at
 * a time on the state the one before left (a timeout that compensates makes its siblings'
 * deadlines moot). Nothing when nothing is due, so a wake-up repeated is harmless.
 */
export const wake = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, cause: Cause): SagaEvent<Data>[] => {
  const events: SagaEvent<Data>[] = [];
  let current = state;
  // Each round clears what it handled (a timeout its deadline, a resend its retry), so it ends.
  for (;;) {
    const sent = current.commands.find((each) => isDue(wakeTimeOf(current, each), cause.now));
    if (!sent) return events;
    const decided = sent.retry ? resend(definition, current, sent, cause) : timedOut(definition, current, sent, cause);
    if (decided.length === 0) return events;
    events.push(...decided);
    current = evolveStarted(current, decided);
  }
};

/** The earliest time an instance wants to be woken at, or undefined: what its scheduler row holds. */
export const nextWakeOf = (state: StartedSaga): string | undefined =>
  state.commands.reduce<string | undefined>((earliest, sent) => {
    const time = wakeTimeOf(state, sent);
    return time !== undefined && (earliest === undefined || time < earliest) ? time : earliest;
  }, undefined);
