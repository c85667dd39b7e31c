// An instance is its own event stream (docs/architecture.md, "Saga semantics"): these are its
// events, and `evolve` folds them into its state. Pure: no definition needed to read it.
import { eventIdFor } from '@ordo/eventstore';
import type { CommandIssued, CommandKind } from '@ordo/messaging';

// The engine's own types: declared in messaging only because its relay routes them.
export type { CommandIssued, CommandKind };

export type Outcome = 'success' | 'failure';
/**
 * `failed`: stopped on a failure the engine may not undo, waiting for an operator.
 * `resolved`: ended by an operator, who said how in a comment.
 */
export type SagaStatus = 'running' | 'compensating' | 'completed' | 'rolled-back' | 'failed' | 'resolved';

/** The statuses after which an instance decides nothing more. */
export const ENDED_STATUSES: readonly SagaStatus[] = ['completed', 'rolled-back', 'resolved'];

/** A step as SagaStarted records it, so a dashboard can draw the steps without the definition. */
export interface StepOutline {
  name: string;
  command?: string;
  target?: string;
  compensation?: string;
  pivot?: boolean;
  fanOut?: boolean;
}

export interface SagaStarted<Data = unknown> {
  saga: string;
  version: number;
  key: string;
  data: Data;
  /** The trigger's correlation id: every command the instance sends carries it. */
  correlationId: string;
  steps: StepOutline[];
  at: string;
}

export interface ReplyReceived {
  /** The reply's event id, so a redelivery of it is known (absent in events recorded before it was kept). */
  replyId?: string;
  step: string;
  line?: string;
  kind: CommandKind;
  commandId: string;
  replyType: string;
  outcome: Outcome;
  reason?: string;
  at: string;
}

/**
 * Why a reply that reached the instance decided nothing: it answers a command that is
 * answered already (`duplicate`), one that timed out or an instance that has ended
 * (`late`), or no command the instance issued, or with a type its step does not declare
 * (`unknown`).
 */
export type IgnoredWhy = 'duplicate' | 'late' | 'unknown';

export interface ReplyIgnored {
  replyId: string;
  replyType: string;
  commandId?: string;
  why: IgnoredWhy;
  detail: string;
  at: string;
}

/** A failure the engine does not undo by itself: a refused compensation, or a refusal at or after the pivot. */
export interface SagaFailed {
  step: string;
  line?: string;
  kind: CommandKind;
  reason: string;
  at: string;
}

/** A sending's deadline passed without a reply: what follows depends on the step's policy and the pivot. */
export interface StepTimedOut {
  commandId: string;
  step: string;
  line?: string;
  kind: CommandKind;
  /** Which sending of the command id timed out (1: the first). */
  attempt: number;
  at: string;
}

/**
 * A command will be sent again at `sendAt`: the same id after a timeout (`round` unchanged),
 * or a new round after a refused compensation.
 */
export interface RetryScheduled {
  step: string;
  line?: string;
  kind: CommandKind;
  round: number;
  attempt: number;
  sendAt: string;
  at: string;
}

/** An operator's action on the instance: who, and why. */
export interface OperatorActed {
  by: string;
  reason: string;
  at: string;
}

export type SagaEvent<Data = unknown> =
  | { type: 'SagaStarted'; data: SagaStarted<Data> }
  | { type: 'CommandIssued'; data: CommandIssued }
  | { type: 'ReplyReceived'; data: ReplyReceived }
  | { type: 'ReplyIgnored'; data: ReplyIgnored }
  | { type: 'SagaFailed'; data: SagaFailed }
  | { type: 'StepTimedOut'; data: StepTimedOut }
  | { type: 'RetryScheduled'; data: RetryScheduled }
  | { type: 'SagaCompensating'; data: { step: string; reason: string; at: string } }
  | { type: 'SagaCompleted'; data: { at: string } }
  | { type: 'SagaRolledBack'; data: { reason: string; at: string } }
  | { type: 'OperatorRetried'; data: OperatorActed }
  | { type: 'OperatorCompensated'; data: OperatorActed }
  | { type: 'SagaResolved'; data: { by: string; comment: string; at: string } };

// A record, so that a type added to SagaEvent and not here fails to compile.
const sagaEventTypes: Record<SagaEvent['type'], true> = {
  SagaStarted: true,
  CommandIssued: true,
  ReplyReceived: true,
  ReplyIgnored: true,
  SagaFailed: true,
  StepTimedOut: true,
  RetryScheduled: true,
  SagaCompensating: true,
  SagaCompleted: true,
  SagaRolledBack: true,
  OperatorRetried: true,
  OperatorCompensated: true,
  SagaResolved: true,
};
/** Every type of an instance's events: what a reader of saga streams handles (a type a later version adds, it passes over). */
export const SAGA_EVENT_TYPES = Object.keys(sagaEventTypes) as SagaEvent['type'][];

/** A command the instance sent, and its answer once one came. */
export interface SentCommand {
  commandId: string;
  step: string;
  line?: string;
  kind: CommandKind;
  /** The operator's retry round it was sent in (absent: 0). */
  round?: number;
  /** Which sending of its id this is (absent: the first). */
  attempt?: number;
  /** When it times out, while it waits for a reply. */
  dueAt?: string;
  /** How often it timed out. */
  timeouts?: number;
  /** When it will be sent again, and as what. */
  retry?: { sendAt: string; round: number; attempt: number };
  type: string;
  target: string;
  aggregateId: string;
  outcome?: Outcome;
  replyType?: string;
  reason?: string;
}

/** What SagaStarted recorded, and what the instance has done since. */
export interface StartedSaga<Data = unknown> extends Omit<SagaStarted<Data>, 'at'> {
  status: SagaStatus;
  sagaId: string;
  /** In the order they were issued. */
  commands: SentCommand[];
  /** Set once the instance compensates: the step that failed and why. */
  failure?: { step: string; reason: string };
  /** Set while the instance is `failed`: what an operator has to look at. */
  failed?: Omit<SagaFailed, 'at'>;
  /** The ids of every reply recorded, received or ignored: a redelivery of one records nothing. */
  recordedReplies: string[];
  /** The replies that decided nothing, for people to see. */
  ignoredReplies: ReplyIgnored[];
  /** What operators did to the instance, oldest first: who, and why (a resolve's comment). */
  operatorActions: OperatorActionTaken[];
}

/** An operator's action as the instance's view shows it. */
export interface OperatorActionTaken extends OperatorActed {
  action: 'retry' | 'compensate' | 'resolve';
}

export type SagaState<Data = unknown> = { status: 'not-started' } | StartedSaga<Data>;

export const initialState = <Data = unknown>(): SagaState<Data> => ({ status: 'not-started' });

/** The instance's stream: `<sagaName>-<businessKey>`. */
export const sagaIdOf = (saga: string, key: string): string => `${saga}-${key}`;

/** The prefix of every instance stream of a saga: what its store is opened with. */
export const sagaStreamPrefix = (saga: string): string => sagaIdOf(saga, '');

/**
 * The same step, line and kind always get the same id, so a re-issued command is recognised
 * as a repeat; an operator's retry after a refusal is a new round, with an id of its own.
 */
export const commandIdFor = (sagaId: string, step: string, line: string | undefined, kind: CommandKind, round = 0): string =>
  eventIdFor(`${sagaId}/${step}/${line ?? ''}/${kind}`, round);

/** The instance once an operator took it out of `failed`. */
const withoutFailure = <Data>(state: StartedSaga<Data>): StartedSaga<Data> => ({ ...state, failed: undefined });

/** A sending that waits for its reply no longer. */
const withoutDeadline = (sent: SentCommand): SentCommand => {
  const waiting = { ...sent };
  delete waiting.dueAt;
  return waiting;
};

/** A sending no longer due to go again. */
const withoutRetry = (sent: SentCommand): SentCommand => {
  const answered = { ...sent };
  delete answered.retry;
  return answered;
};

type Progress<Data> = Exclude<SagaEvent<Data>, { type: 'SagaStarted' }>;

/** The instance with an operator's action added to its trail. */
const acted = <Data>(state: StartedSaga<Data>, action: OperatorActionTaken['action'], { by, reason, at }: OperatorActed): StartedSaga<Data> => ({
  ...state,
  operatorActions: [...state.operatorActions, { action, by, reason, at }],
});

/** An instance's state once its stream holds more than SagaStarted. */
export const progress = <Data>(state: StartedSaga<Data>, event: Progress<Data>): StartedSaga<Data> => {
  switch (event.type) {
    case 'CommandIssued': {
      const { command, step, line, kind, round, attempt, dueAt, target, aggregateId } = event.data;
      const sent: SentCommand = {
        commandId: command.commandId,
        step,
        ...(line !== undefined && { line }),
        kind,
        ...(round !== undefined && round > 0 && { round }),
        ...(attempt !== undefined && attempt > 1 && { attempt }),
        ...(dueAt !== undefined && { dueAt }),
        type: command.type,
        target,
        aggregateId,
      };
      // Sent again (a retry): it takes the place of the earlier sending, unanswered.
      const earlier = state.commands.findIndex((each) => each.step === step && each.line === line && each.kind === kind);
      const timeouts = state.commands[earlier]?.commandId === sent.commandId ? state.commands[earlier]?.timeouts : undefined;
      const again = timeouts === undefined ? sent : { ...sent, timeouts };
      const commands = earlier < 0 ? [...state.commands, sent] : state.commands.map((each, index) => (index === earlier ? again : each));
      return { ...state, commands };
    }
    case 'ReplyReceived': {
      const { replyId, commandId, outcome, replyType, reason } = event.data;
      // An answer makes a resend of the same id scheduled before it moot: sent anyway, it would
      // take the answered sending's place, and the target answers an id once, so it would time out.
      const answer = (sent: SentCommand): SentCommand =>
        sent.commandId === commandId ? { ...withoutRetry(sent), outcome, replyType, ...(reason !== undefined && { reason }) } : sent;
      return {
        ...state,
        commands: state.commands.map(answer),
        recordedReplies: replyId === undefined ? state.recordedReplies : [...state.recordedReplies, replyId],
      };
    }
    case 'StepTimedOut': {
      const timedOut = (sent: SentCommand): SentCommand =>
        sent.commandId === event.data.commandId ? { ...withoutDeadline(sent), timeouts: (sent.timeouts ?? 0) + 1 } : sent;
      return { ...state, commands: state.commands.map(timedOut) };
    }
    case 'RetryScheduled': {
      const { step, line, kind, round, attempt, sendAt } = event.data;
      const scheduled = (sent: SentCommand): SentCommand =>
        sent.step === step && sent.line === line && sent.kind === kind ? { ...sent, retry: { sendAt, round, attempt } } : sent;
      return { ...state, commands: state.commands.map(scheduled) };
    }
    case 'ReplyIgnored':
      return { ...state, recordedReplies: [...state.recordedReplies, event.data.replyId], ignoredReplies: [...state.ignoredReplies, event.data] };
    case 'SagaFailed': {
      const { step, line, kind, reason } = event.data;
      return { ...state, status: 'failed', failed: { step, ...(line !== undefined && { line }), kind, reason } };
    }
    case 'SagaCompensating':
      return { ...state, status: 'compensating', failure: { step: event.data.step, reason: event.data.reason } };
    case 'OperatorRetried': {
      const audited = acted(state, 'retry', event.data);
      // A failed instance goes back to what it was doing; a stuck one carries on as it was.
      if (state.status !== 'failed' || !state.failed) return audited;
      return { ...withoutFailure(audited), status: state.failed.kind === 'compensation' ? 'compensating' : 'running' };
    }
    case 'OperatorCompensated':
      return withoutFailure(acted(state, 'compensate', event.data));
    case 'SagaResolved': {
      const { by, comment, at } = event.data;
      return { ...acted(state, 'resolve', { by, reason: comment, at }), status: 'resolved' };
    }
    case 'SagaCompleted':
      return { ...state, status: 'completed' };
    case 'SagaRolledBack':
      return { ...state, status: 'rolled-back' };
    default: {
      const unknown: never = event;
      throw new Error(`unknown saga event ${JSON.stringify(unknown)}`);
    }
  }
};

export const startedState = <Data>({ saga, version, key, data, correlationId, steps }: SagaStarted<Data>): StartedSaga<Data> => ({
  status: 'running',
  sagaId: sagaIdOf(saga, key),
  saga,
  version,
  key,
  data,
  correlationId,
  steps,
  commands: [],
  recordedReplies: [],
  ignoredReplies: [],
  operatorActions: [],
});

/** A started instance after these events. */
export const evolveStarted = <Data>(state: StartedSaga<Data>, events: readonly SagaEvent<Data>[]): StartedSaga<Data> =>
  events.reduce((current, event) => (event.type === 'SagaStarted' ? startedState(event.data) : progress(current, event)), state);

export const evolve = <Data>(state: SagaState<Data>, event: SagaEvent<Data>): SagaState<Data> => {
  if (event.type === 'SagaStarted') return startedState(event.data);
  // Only SagaStarted opens a stream: anything before it is not an instance's history.
  return state.status === 'not-started' ? state : progress(state, event);
};
