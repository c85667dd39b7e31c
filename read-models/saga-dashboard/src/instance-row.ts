import type { ProjectedEvent } from '@ordo/projections';
import {
  describeSaga,
  ENDED_STATUSES,
  evolve,
  initialState,
  nextWakeOf,
  type SagaEvent,
  type SagaStarted,
  type SagaStatus,
  type StartedSaga,
} from '@ordo/saga';

// One row per saga instance, folded from its stream (`<saga>-<business key>`) with the saga
// engine's own evolve, so the dashboard shows what the engine would decide from: the
// instance's state is kept whole (`state`), and the columns a list filters and sorts on are
// taken from it. `stuck` is not stored: it depends on the time of the query (a running or
// compensating instance whose next wake-up is overdue, view.ts' STUCK_AFTER_MS).

export interface SagaInstanceRow {
  [column: string]: unknown;
  saga_id: string;
  saga: string | null;
  version: number | null;
  business_key: string | null;
  correlation_id: string | null;
  status: SagaStatus | null;
  /** The step it is at: the one failed, compensating or running; null once ended. */
  current_step: string | null;
  /** The steps SagaStarted recorded. */
  step_count: number | null;
  started_at: Date | string | null;
  /** When its last event was recorded. */
  updated_at: Date | string | null;
  /** When it completed, rolled back or was resolved. */
  ended_at: Date | string | null;
  /** The earliest deadline or retry it waits for. */
  next_wake_at: string | null;
  /** Why it compensates or failed. */
  reason: string | null;
  /** Sendings that timed out, and retries scheduled, over its life. */
  timeouts: number;
  retries: number;
  state: StartedSaga | null;
}

export const INSTANCE_COLUMNS = [
  'saga',
  'version',
  'business_key',
  'correlation_id',
  'status',
  'current_step',
  'step_count',
  'started_at',
  'updated_at',
  'ended_at',
  'next_wake_at',
  'reason',
  'timeouts',
  'retries',
  'state',
] as const;

/** The step an instance is at, as its view tells it: failed, else compensating (the latest), else running. */
const currentStepOf = (state: StartedSaga): string | null => {
  if (ENDED_STATUSES.includes(state.status)) return null;
  if (state.failed) return state.failed.step;
  const steps = describeSaga(state).steps;
  if (state.status === 'compensating') return steps.findLast((step) => step.status === 'compensating')?.name ?? null;
  return steps.find((step) => step.status === 'running')?.name ?? null;
};

/** The instance's columns after one of its events. */
export const evolveInstanceRow = (row: SagaInstanceRow | null, event: ProjectedEvent): Partial<SagaInstanceRow> => {
  const state = evolve(row?.state ?? initialState(), { type: event.type, data: event.data } as SagaEvent);
  // Only SagaStarted opens an instance: anything before it is not an instance's history.
  if (state.status === 'not-started') return {};
  const recordedAt = event.recordedAt.toISOString();
  return {
    saga: state.saga,
    version: state.version,
    business_key: state.key,
    correlation_id: state.correlationId,
    status: state.status,
    current_step: currentStepOf(state),
    step_count: state.steps.length,
    started_at: event.type === 'SagaStarted' ? (event.data as SagaStarted).at : (row?.started_at ?? recordedAt),
    updated_at: recordedAt,
    ended_at: ENDED_STATUSES.includes(state.status) ? (row?.ended_at ?? recordedAt) : null,
    next_wake_at: nextWakeOf(state) ?? null,
    reason: state.failed?.reason ?? state.failure?.reason ?? null,
    timeouts: (row?.timeouts ?? 0) + (event.type === 'StepTimedOut' ? 1 : 0),
    retries: (row?.retries ?? 0) + (event.type === 'RetryScheduled' ? 1 : 0),
    state,
  };
};
