import { z } from 'zod';
import { keysetCursor } from '@ordo/http';
import { describeSaga, sagaViewSchema, STUCK_AFTER_MS, type StartedSaga } from '@ordo/saga';
import type { SagaInstanceRow } from './instance-row';
import { INSTANCE_STATES, iso, type HistoryRow, type InstanceCursor, type InstanceState, type ThroughputRow } from './queries';

// What the dashboard's API answers, from its rows.

const Timestamp = z.string().describe('ISO 8601');

export const InstanceSummary = z.object({
  sagaId: z.string(),
  saga: z.string(),
  version: z.number().int(),
  key: z.string().describe('the business key: the order id'),
  state: z.enum(INSTANCE_STATES),
  currentStep: z.string().nullable(),
  stepCount: z.number().int(),
  correlationId: z.string().nullable(),
  startedAt: Timestamp,
  updatedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  nextWakeAt: Timestamp.nullable().describe('the earliest deadline or retry it waits for'),
  reason: z.string().nullable().describe('why it compensates or failed'),
  timeouts: z.number().int(),
  retries: z.number().int(),
});
export type InstanceSummary = z.infer<typeof InstanceSummary>;

export const InstancePage = z.object({
  items: z.array(InstanceSummary),
  next: z.string().nullable().describe('pass as `after` for the next page; null on the last'),
});

export const StateCounts = z.object(Object.fromEntries(INSTANCE_STATES.map((state) => [state, z.number().int()])) as Record<InstanceState, z.ZodNumber>);

export const InstanceDetail = z.object({
  summary: InstanceSummary,
  /** The engine's own view of it: each step of its SagaStarted outline with its commands and answers. */
  saga: sagaViewSchema,
});

export const HistoryEntry = z.object({
  revision: z.string(),
  type: z.string(),
  data: z.unknown(),
  correlationId: z.string().nullable(),
  causationId: z.string().nullable(),
  traceId: z.string().nullable(),
  recordedAt: Timestamp,
});
export const HistoryPage = z.object({
  items: z.array(HistoryEntry),
  next: z.string().nullable().describe('pass as `after` for the next page (a revision); null on the last'),
});

export const Throughput = z.object({
  since: Timestamp,
  minutes: z.array(
    z.object({ minute: Timestamp, started: z.number().int(), completed: z.number().int(), rolledBack: z.number().int(), failed: z.number().int() }),
  ),
});

const overdue = (row: SagaInstanceRow, now: Date) =>
  (row.status === 'running' || row.status === 'compensating') &&
  row.next_wake_at !== null &&
  Date.parse(iso(row.next_wake_at)) + STUCK_AFTER_MS < now.getTime();

const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

export const summaryOf = (row: SagaInstanceRow, now: Date): InstanceSummary => ({
  sagaId: row.saga_id,
  saga: row.saga ?? '',
  version: row.version ?? 0,
  key: row.business_key ?? '',
  state: overdue(row, now) ? 'stuck' : (row.status as InstanceState),
  currentStep: row.current_step,
  stepCount: row.step_count ?? 0,
  correlationId: row.correlation_id,
  startedAt: iso(row.started_at ?? row.updated_at ?? 0),
  updatedAt: iso(row.updated_at ?? 0),
  endedAt: isoOrNull(row.ended_at),
  nextWakeAt: isoOrNull(row.next_wake_at),
  reason: row.reason,
  timeouts: row.timeouts,
  retries: row.retries,
});

export const detailOf = (row: SagaInstanceRow, now: Date) => ({
  summary: summaryOf(row, now),
  saga: describeSaga(row.state as StartedSaga, { now }),
});

export const historyEntryOf = (row: HistoryRow): z.infer<typeof HistoryEntry> => ({
  revision: row.revision,
  type: row.type,
  data: row.data,
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  traceId: row.trace_id,
  recordedAt: iso(row.recorded_at),
});

const COUNTED: Record<string, 'started' | 'completed' | 'rolledBack' | 'failed'> = {
  SagaStarted: 'started',
  SagaCompleted: 'completed',
  SagaRolledBack: 'rolledBack',
  SagaFailed: 'failed',
};

/** Every minute from `since` to `now`, those without events as zeros: a chart's x axis. */
export const throughputOf = (rows: ThroughputRow[], since: Date, now: Date): z.infer<typeof Throughput> => {
  const minutes = new Map<number, { minute: string; started: number; completed: number; rolledBack: number; failed: number }>();
  const first = Math.floor(since.getTime() / 60_000) * 60_000;
  for (let at = first; at <= now.getTime(); at += 60_000)
    minutes.set(at, { minute: new Date(at).toISOString(), started: 0, completed: 0, rolledBack: 0, failed: 0 });
  for (const row of rows) {
    const minute = minutes.get(new Date(row.minute).getTime());
    const counted = COUNTED[row.type];
    if (minute && counted) minute[counted] += Number(row.count);
  }
  return { since: new Date(first).toISOString(), minutes: [...minutes.values()] };
};

// ---- cursors: opaque to clients, the last instance of a page -------------------------

const cursor = keysetCursor(z.tuple([z.iso.datetime(), z.string().min(1)]));

export const cursorAfter = (row: SagaInstanceRow): string => cursor.write([iso(row.updated_at ?? 0), row.saga_id]);

export const readCursor = (text: string): InstanceCursor => {
  const [updatedAt, sagaId] = cursor.read(text);
  return { updatedAt, sagaId };
};
