// The pure core of the engine: given the definition, an instance's state and an input
// (its trigger, or a reply), the events to append. Time and ids come in with the input.
import { backoffAfter, compensationAttempts, dueAfter, later } from './policies';
import { pivotIndex, StepRefused, type IncomingEvent, type SagaDefinition, type SagaStep, type StepCommand } from './definition';
import {
  commandIdFor,
  ENDED_STATUSES,
  evolve,
  initialState,
  progress,
  sagaIdOf,
  startedState,
  type CommandKind,
  type IgnoredWhy,
  type SagaEvent,
  type SagaState,
  type SentCommand,
  type StartedSaga,
  type StepOutline,
} from './instance';

export type SagaInput = { type: 'StartSaga'; trigger: IncomingEvent; now: string } | { type: 'HandleReply'; reply: IncomingEvent; now: string };

/** What caused the events being decided: the CommandIssued's causation, and the time. */
export interface Cause {
  id: string;
  now: string;
}

/**
 * A history the engine cannot decide on: a step its definition lacks, or compensations
 * without a recorded failure. The throw parks the input with its instance.
 */
export class UnhandledSagaFailure extends Error {
  override name = 'UnhandledSagaFailure';
}

/** The instance a trigger starts: its id, business key and data. */
export const instanceFor = <Data>(definition: SagaDefinition<Data>, trigger: IncomingEvent) => {
  const data = definition.trigger.data(trigger);
  const key = definition.trigger.key(data);
  return { sagaId: sagaIdOf(definition.name, key), key, data };
};

const outline = <Data>(step: SagaStep<Data>): StepOutline => ({
  name: step.name,
  ...(step.action && { command: step.action.command, target: step.action.target }),
  ...(step.compensation && { compensation: step.compensation.command }),
  ...(step.pivot && { pivot: true }),
  ...(step.fanOut && { fanOut: true }),
});

/** Which sending of a command: `round` counts retries after a refusal, each a new command id; `attempt` the sendings of one id. */
export interface Sending {
  round?: number;
  attempt?: number;
}

/** The command of a step's line, due back by the step's `timeoutMs`. */
export const issue = <Data>(
  state: StartedSaga<Data>,
  step: SagaStep<Data>,
  invocation: StepCommand<Data>,
  line: string | undefined,
  kind: CommandKind,
  reason: string,
  cause: Cause,
  { round = 0, attempt = 1 }: Sending = {},
): SagaEvent<Data> => {
  const { aggregateId, data } = invocation.build(state.data, line, reason);
  const commandId = commandIdFor(state.sagaId, step.name, line, kind, round);
  const dueAt = dueAfter(step, cause.now);
  const command = { type: invocation.command, commandId, data, metadata: { correlationId: state.correlationId, causationId: cause.id } };
  return {
    type: 'CommandIssued',
    data: {
      target: invocation.target,
      aggregateId,
      command,
      step: step.name,
      ...(line !== undefined && { line }),
      kind,
      ...(round > 0 && { round }),
      ...(attempt > 1 && { attempt }),
      ...(dueAt !== undefined && { dueAt }),
      at: cause.now,
    },
  };
};

/**
 * A step whose action cannot be built (its builder called `refuseStep`) sends nothing, not
 * even its other lines, and fails with the builder's reason: before the pivot the saga
 * compensates from the step down (it has no line to undo), at or after it the instance fails.
 */
const refusedStep = <Data>(
  definition: SagaDefinition<Data>,
  state: StartedSaga<Data>,
  index: number,
  step: SagaStep<Data>,
  reason: string,
  cause: Cause,
): SagaEvent<Data>[] => {
  if (index >= pivotIndex(definition)) return [{ type: 'SagaFailed', data: { step: step.name, kind: 'action', reason, at: cause.now } }];
  const compensating = { type: 'SagaCompensating', data: { step: step.name, reason, at: cause.now } } as const;
  return [compensating, ...compensateFrom(definition, progress(state, compensating), index, reason, cause)];
};

/** The first step from `from` on with something to send issues all its lines; past the last, the saga completes. */
const runFrom = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, from: number, cause: Cause): SagaEvent<Data>[] => {
  for (const [offset, step] of definition.steps.slice(from).entries()) {
    const lines = step.lines(state.data);
    if (!step.action || lines.length === 0) continue;
    const action = step.action;
    try {
      return lines.map((line) => issue(state, step, action, line, 'action', '', cause));
    } catch (error) {
      if (error instanceof StepRefused) return refusedStep(definition, state, from + offset, step, error.reason, cause);
      throw error;
    }
  }
  return [{ type: 'SagaCompleted', data: { at: cause.now } }];
};

/**
 * What a step has to undo: the lines whose action was not refused (it succeeded, or it has
 * no answer and may still take effect), or, for a step without an action, all of them.
 */
const doneLines = <Data>(state: StartedSaga<Data>, step: SagaStep<Data>): (string | undefined)[] =>
  step.action
    ? state.commands.filter((sent) => sent.step === step.name && sent.kind === 'action' && sent.outcome !== 'failure').map((sent) => sent.line)
    : step.lines(state.data);

/** Compensations go one step at a time, in reverse, from `from` down; with nothing left, the saga is rolled back. */
export const compensateFrom = <Data>(
  definition: SagaDefinition<Data>,
  state: StartedSaga<Data>,
  from: number,
  reason: string,
  cause: Cause,
): SagaEvent<Data>[] => {
  for (const step of definition.steps.slice(0, from + 1).reverse()) {
    const lines = doneLines(state, step);
    if (!step.compensation || lines.length === 0) continue;
    const compensation = step.compensation;
    return lines.map((line) => issue(state, step, compensation, line, 'compensation', reason, cause));
  }
  return [{ type: 'SagaRolledBack', data: { reason, at: cause.now } }];
};

/** The events a new instance starts with: SagaStarted and the first step's commands. */
export const startSaga = <Data>(definition: SagaDefinition<Data>, data: Data, correlationId: string, cause: Cause): SagaEvent<Data>[] => {
  const key = definition.trigger.key(data);
  const steps = definition.steps.map(outline);
  const started = { saga: definition.name, version: definition.version, key, data, correlationId, steps, at: cause.now };
  return [{ type: 'SagaStarted', data: started }, ...runFrom(definition, startedState(started), 0, cause)];
};

/** A step named in the instance's history; missing only if the definition changed under a running instance. */
export const stepNamed = <Data>(definition: SagaDefinition<Data>, name: string): { index: number; step: SagaStep<Data> } => {
  const index = definition.steps.findIndex((each) => each.name === name);
  const step = definition.steps[index];
  if (!step) throw new UnhandledSagaFailure(`saga ${definition.name} version ${definition.version} has no step ${name}`);
  return { index, step };
};

/**
 * The first action at or after the pivot that succeeded or may have (sent, not refused):
 * from then on nothing is undone, by the engine or by an operator.
 */
export const pastThePivot = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>): SentCommand | undefined => {
  const pivot = pivotIndex(definition);
  return state.commands.find((sent) => sent.kind === 'action' && sent.outcome !== 'failure' && stepNamed(definition, sent.step).index >= pivot);
};

const classify = <Data>(invocation: StepCommand<Data> | undefined, reply: IncomingEvent) => {
  if (invocation?.success.includes(reply.type)) return { outcome: 'success' as const };
  const reasonOf = invocation?.failure[reply.type];
  if (!reasonOf) return undefined;
  const reason = reasonOf(reply);
  return { outcome: 'failure' as const, ...(reason !== undefined && { reason }) };
};

const refusal = (replyType: string, reason: string | undefined) => (reason === undefined ? replyType : `${replyType}: ${reason}`);

const named = (sagaId: string, sent: SentCommand) =>
  `${sent.kind} ${sent.type} of step ${sent.step}${sent.line === undefined ? '' : ` (line ${sent.line})`} in ${sagaId}`;

/** The instance stops for an operator on the first refusal among a step's lines (`times`: how often it was refused). */
const failedOn = <Data>(state: StartedSaga<Data>, refused: SentCommand, cause: Cause, times = 1): SagaEvent<Data> => ({
  type: 'SagaFailed',
  data: {
    step: refused.step,
    ...(refused.line !== undefined && { line: refused.line }),
    kind: refused.kind,
    reason: `the ${named(state.sagaId, refused)} was refused${times > 1 ? ` ${times} times` : ''} (${refusal(refused.replyType ?? 'a failure', refused.reason)})`,
    at: cause.now,
  },
});

/** A refused compensation is sent again in a new round after a backoff, until its step's attempts are spent. */
const retryRefusedCompensation = <Data>(state: StartedSaga<Data>, step: SagaStep<Data>, refused: SentCommand, cause: Cause): SagaEvent<Data>[] => {
  const round = (refused.round ?? 0) + 1;
  if (round >= compensationAttempts(step)) return [failedOn(state, refused, cause, round)];
  const { line, kind } = refused;
  const sendAt = later(cause.now, backoffAfter(step.compensationRetry, round));
  return [{ type: 'RetryScheduled', data: { step: step.name, ...(line !== undefined && { line }), kind, round, attempt: 1, sendAt, at: cause.now } }];
};

/**
 * After a reply was recorded: wait for the step's other lines, then go on, compensate,
 * finish, or stop for an operator (a refused compensation, a refusal at or after the pivot).
 */
const afterReply = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, answered: SentCommand, cause: Cause): SagaEvent<Data>[] => {
  const { index, step } = stepNamed(definition, answered.step);
  const answer = state.commands.find((sent) => sent.commandId === answered.commandId) ?? answered;
  if (answer.kind === 'compensation' && answer.outcome === 'failure') return retryRefusedCompensation(state, step, answer, cause);
  const siblings = state.commands.filter((sent) => sent.step === answered.step && sent.kind === answered.kind);
  if (siblings.some((sent) => sent.outcome === undefined)) return [];
  const failed = siblings.find((sent) => sent.outcome === 'failure');
  if (answered.kind === 'compensation') {
    // A refused line is waiting for its retry, or has failed the instance.
    if (failed) return [];
    if (!state.failure) throw new UnhandledSagaFailure(`${state.sagaId} compensates without a recorded failure`);
    return compensateFrom(definition, state, index - 1, state.failure.reason, cause);
  }
  if (!failed) return runFrom(definition, state, index + 1, cause);
  if (index >= pivotIndex(definition)) return [failedOn(state, failed, cause)];
  const reason = failed.reason ?? `${failed.replyType ?? 'a failure'} answered ${failed.type}${failed.line === undefined ? '' : ` (line ${failed.line})`}`;
  const compensating = { type: 'SagaCompensating', data: { step: answered.step, reason, at: cause.now } } as const;
  return [compensating, ...compensateFrom(definition, progress(state, compensating), index, reason, cause)];
};

/** Why a reply to a command the instance sent decides nothing, or undefined when the command awaits it. */
const ignoredWhy = (state: StartedSaga, sent: SentCommand): { why: IgnoredWhy; detail: string } | undefined => {
  if (sent.outcome !== undefined)
    return { why: 'duplicate', detail: `the ${named(state.sagaId, sent)} was answered already (${sent.replyType ?? sent.outcome})` };
  if (ENDED_STATUSES.includes(state.status)) return { why: 'late', detail: `${state.sagaId} is ${state.status}` };
  // Compensating: an action that had no answer is being undone, whatever it answers now.
  if (state.status === 'compensating' && sent.kind === 'action') return { why: 'late', detail: `${state.sagaId} compensates its ${sent.type}` };
  return undefined;
};

const ignored = <Data>(reply: IncomingEvent, sent: SentCommand | undefined, why: { why: IgnoredWhy; detail: string }, cause: Cause): SagaEvent<Data>[] => [
  {
    type: 'ReplyIgnored',
    data: { replyId: reply.id, replyType: reply.type, ...(sent && { commandId: sent.commandId }), ...why, at: cause.now },
  },
];

/**
 * A reply counts only if it answers a command this instance issued and that is still
 * unanswered, with a type the step declared. Anything else (late, repeated, not ours) is
 * recorded as ReplyIgnored and changes nothing; a redelivery of a reply already recorded
 * records nothing at all, so a reply redelivered forever is written once.
 */
const handleReply = <Data>(definition: SagaDefinition<Data>, state: StartedSaga<Data>, reply: IncomingEvent, cause: Cause): SagaEvent<Data>[] => {
  if (state.recordedReplies.includes(reply.id)) return [];
  const sent = state.commands.find((each) => each.commandId === reply.metadata.commandId);
  if (!sent) return ignored(reply, sent, { why: 'unknown', detail: `${reply.type} answers no command ${state.sagaId} issued` }, cause);
  const why = ignoredWhy(state, sent);
  if (why) return ignored(reply, sent, why, cause);
  const { step } = stepNamed(definition, sent.step);
  const verdict = classify(sent.kind === 'action' ? step.action : step.compensation, reply);
  if (!verdict) return ignored(reply, sent, { why: 'unknown', detail: `${reply.type} is no reply step ${sent.step} declares to ${sent.type}` }, cause);
  const received = {
    type: 'ReplyReceived',
    data: {
      replyId: reply.id,
      step: sent.step,
      ...(sent.line !== undefined && { line: sent.line }),
      kind: sent.kind,
      commandId: sent.commandId,
      replyType: reply.type,
      ...verdict,
      at: cause.now,
    },
  } as const;
  return [received, ...afterReply(definition, progress(state, received), sent, cause)];
};

/** The engine as a decider: `decide(input, state)` over `evolve`d saga events. */
export const sagaDecider = <Data>(definition: SagaDefinition<Data>) => ({
  initialState: initialState<Data>,
  evolve: evolve<Data>,
  decide: (input: SagaInput, state: SagaState<Data>): SagaEvent<Data>[] => {
    switch (input.type) {
      case 'StartSaga': {
        if (state.status !== 'not-started') return [];
        const { data } = instanceFor(definition, input.trigger);
        return startSaga(definition, data, input.trigger.metadata.correlationId, { id: input.trigger.id, now: input.now });
      }
      case 'HandleReply':
        return state.status === 'not-started' ? [] : handleReply(definition, state, input.reply, { id: input.reply.id, now: input.now });
      default: {
        const unknown: never = input;
        throw new Error(`unknown saga input ${JSON.stringify(unknown)}`);
      }
    }
  },
});

export type SagaDecider<Data> = ReturnType<typeof sagaDecider<Data>>;
