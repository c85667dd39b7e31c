// What a saga service shows of an instance, and how it reads events off the bus.
import { z } from 'zod';
import { nextWakeOf } from './deadlines';
import type { IncomingEvent } from './definition';
import type { SentCommand, StartedSaga, StepOutline } from './instance';

/** An event as it arrives on `ordo.<context>.events` (the recorded event as JSON); tolerant of unknown fields. */
export const incomingEventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.unknown(),
  metadata: z.object({ correlationId: z.string(), causationId: z.string().optional(), commandId: z.string().optional() }),
});

export const parseIncomingEvent = (value: unknown): IncomingEvent => {
  const { id, type, data, metadata } = incomingEventSchema.parse(value);
  return { id, type, data, metadata };
};

const commandView = z.object({
  commandId: z.string(),
  kind: z.enum(['action', 'compensation']),
  type: z.string(),
  target: z.string(),
  aggregateId: z.string(),
  line: z.string().optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  replyType: z.string().optional(),
  reason: z.string().optional(),
  /** Which sending of its id this is, when not the first. */
  attempt: z.number().optional(),
  /** When it times out, while it waits for a reply. */
  dueAt: z.string().optional(),
  /** How often it timed out. */
  timeouts: z.number().optional(),
  /** When it is sent again. */
  retryAt: z.string().optional(),
});

/** `skipped`: a step with an action that sent nothing although a later step was reached (its `when` failed the data, or it had no lines). */
const stepStatus = z.enum(['pending', 'running', 'succeeded', 'skipped', 'failed', 'compensating', 'compensated', 'compensation-failed']);
export type StepStatus = z.infer<typeof stepStatus>;

/** The response of `GET /v1/sagas/<saga>/:key`. */
export const sagaViewSchema = z.object({
  sagaId: z.string(),
  saga: z.string(),
  version: z.number(),
  key: z.string(),
  /** `stuck`: running or compensating, with a deadline overdue that nothing has handled (its scheduler is not running). */
  status: z.enum(['running', 'compensating', 'stuck', 'completed', 'rolled-back', 'failed', 'resolved']),
  /** The earliest time the instance waits for: a sending's deadline or a retry. */
  nextWakeAt: z.string().optional(),
  /** Why the instance compensates (or was rolled back). */
  reason: z.string().optional(),
  /** While `failed`: where it stopped and why; an operator acts on it. */
  failed: z.object({ step: z.string(), line: z.string().optional(), kind: z.enum(['action', 'compensation']), reason: z.string() }).optional(),
  /** Replies that reached the instance and decided nothing. */
  ignoredReplies: z.array(
    z.object({
      replyId: z.string(),
      replyType: z.string(),
      commandId: z.string().optional(),
      why: z.enum(['duplicate', 'late', 'unknown']),
      detail: z.string(),
      at: z.string(),
    }),
  ),
  /** What operators did to the instance, oldest first: who, and why (a resolve's comment). */
  operatorActions: z.array(z.object({ action: z.enum(['retry', 'compensate', 'resolve']), by: z.string(), reason: z.string(), at: z.string() })),
  steps: z.array(
    z.object({
      name: z.string(),
      command: z.string().optional(),
      target: z.string().optional(),
      compensation: z.string().optional(),
      pivot: z.boolean().optional(),
      fanOut: z.boolean().optional(),
      status: stepStatus,
      commands: z.array(commandView),
    }),
  ),
});
export type SagaView = z.infer<typeof sagaViewSchema>;

const statusOf = (state: StartedSaga, outline: StepOutline, index: number, reached: number): StepStatus => {
  const sent = state.commands.filter((command) => command.step === outline.name);
  const compensations = sent.filter((command) => command.kind === 'compensation');
  if (compensations.some((command) => command.outcome === 'failure')) return 'compensation-failed';
  if (compensations.length > 0) return compensations.every((command) => command.outcome === 'success') ? 'compensated' : 'compensating';
  const actions = sent.filter((command) => command.kind === 'action');
  if (actions.some((command) => command.outcome === undefined)) return 'running';
  if (actions.some((command) => command.outcome === 'failure')) return 'failed';
  if (actions.length > 0) return 'succeeded';
  // Nothing sent, yet a later step was reached: a step without an action is done, one with an action was skipped.
  if (index > reached) return 'pending';
  return outline.command === undefined ? 'succeeded' : 'skipped';
};

const viewOf = ({ commandId, kind, type, target, aggregateId, line, outcome, replyType, reason, attempt, dueAt, timeouts, retry }: SentCommand) => ({
  commandId,
  kind,
  type,
  target,
  aggregateId,
  ...(line !== undefined && { line }),
  ...(outcome && { outcome }),
  ...(replyType !== undefined && { replyType }),
  ...(reason !== undefined && { reason }),
  ...(attempt !== undefined && { attempt }),
  ...(dueAt !== undefined && outcome === undefined && { dueAt }),
  ...(timeouts !== undefined && { timeouts }),
  ...(retry && { retryAt: retry.sendAt }),
});

/** How long past its time a wake-up may be before the instance counts as stuck: the scheduler polls every second. */
export const STUCK_AFTER_MS = 30_000;

/**
 * An instance for people and dashboards: each step of its SagaStarted outline with its
 * commands and their answers; `stuck` when its next wake-up is over `stuckAfterMs` behind `now`.
 */
export const describeSaga = (state: StartedSaga, { now = new Date(), stuckAfterMs = STUCK_AFTER_MS } = {}): SagaView => {
  const { sagaId, saga, version, key } = state;
  const nextWakeAt = nextWakeOf(state);
  const overdue = nextWakeAt !== undefined && Date.parse(nextWakeAt) + stuckAfterMs < now.getTime();
  const status = overdue ? 'stuck' : state.status;
  const lastIssued = Math.max(
    -1,
    ...state.commands.filter((command) => command.kind === 'action').map((command) => state.steps.findIndex((step) => step.name === command.step)),
  );
  const reached = state.status === 'completed' ? state.steps.length : lastIssued;
  return {
    sagaId,
    saga,
    version,
    key,
    status,
    ...(nextWakeAt !== undefined && { nextWakeAt }),
    ...(state.failure && { reason: state.failure.reason }),
    ...(state.failed && { failed: state.failed }),
    ignoredReplies: state.ignoredReplies,
    operatorActions: state.operatorActions,
    steps: state.steps.map((outline, index) => ({
      ...outline,
      status: statusOf(state, outline, index, reached),
      commands: state.commands.filter((command) => command.step === outline.name).map(viewOf),
    })),
  };
};
