// The deadline scheduler (docs/sagas.md, "Deadlines and retries"). Each tick, a feed from the
// saga's own events brings a table of what each instance waits for and until when (a
// sending's deadline, a retry's time) up to date, then the rows that are due are taken with
// FOR UPDATE SKIP LOCKED, so several orchestrators never wake an instance for one row
// together, and their instances are woken.
import type { EventStore, PositionedEvent } from '@ordo/eventstore';
import { migrateOnce, quoteIdentifier, type Logger, type TransactionalSql } from '@ordo/runtime';
import { randomUUID } from 'node:crypto';
import { sagaStreamPrefix, type CommandIssued, type ReplyReceived, type RetryScheduled, type StepTimedOut } from './instance';

export interface DeadlineSchedulerOptions {
  /** The saga's name: its streams, and its rows in the table. */
  saga: string;
  /** Wakes an instance at the clock's time (the runner's `wake`). */
  wake: (sagaId: string) => Promise<unknown>;
  store: EventStore;
  sql: TransactionalSql;
  schema: string;
  clock: () => Date;
  logger: Logger;
  /** How often the table is brought up to date and due rows are looked for: default 1 s. */
  pollMs?: number;
  /** Rows taken per look: default 100. */
  batchSize?: number;
  /** How long a taken row is left to its taker before another orchestrator may take it: default 30 s. */
  leaseMs?: number;
}

export interface RunningScheduler {
  stop(): Promise<void>;
  /** Never rejects: a tick that fails is logged and tried again at the next. */
  readonly failed: Promise<never>;
  /** A tick now instead of at the next poll (tests): resolves to the number of instances woken. */
  pollNow(): Promise<number>;
}

/** Events read from the saga's store per round trip, and the most rows written per transaction. */
const FEED_BATCH = 500;

/** The events that change what an instance waits for. */
const FED_TYPES = ['CommandIssued', 'RetryScheduled', 'ReplyReceived', 'StepTimedOut', 'SagaCompleted', 'SagaRolledBack', 'SagaResolved'];

/** A row names one sending of an instance: step, line and kind (a retry in a new round replaces it). */
const sendingOf = ({ step, line, kind }: { step: string; line?: string; kind: string }) => `${step}/${line ?? ''}/${kind}`;

/** What the feed has read and not yet written: each sending's latest time (null: none), and the instances that ended. */
interface Pending {
  times: Map<string, { sagaId: string; sending: string; at: string | null }>;
  ended: Set<string>;
}

const note = (pending: Pending, event: PositionedEvent) => {
  const set = (sending: string, at: string | null) => pending.times.set(`${event.stream}\u0000${sending}`, { sagaId: event.stream, sending, at });
  switch (event.type) {
    case 'CommandIssued': {
      const issued = event.data as CommandIssued;
      set(sendingOf(issued), issued.dueAt ?? null);
      return;
    }
    case 'RetryScheduled': {
      const scheduled = event.data as RetryScheduled;
      set(sendingOf(scheduled), scheduled.sendAt);
      return;
    }
    case 'ReplyReceived':
    case 'StepTimedOut':
      set(sendingOf(event.data as ReplyReceived | StepTimedOut), null);
      return;
    default:
      pending.ended.add(event.stream);
  }
};

export const deadlineScheduler = ({
  saga,
  wake,
  store,
  sql,
  schema,
  clock,
  logger,
  pollMs = 1_000,
  batchSize = 100,
  leaseMs = 30_000,
}: DeadlineSchedulerOptions) => {
  const deadlines = `${quoteIdentifier(schema)}.saga_deadlines`;
  const feeds = `${quoteIdentifier(schema)}.saga_deadline_feeds`;
  const filter = { streamPrefixes: [sagaStreamPrefix(saga)], eventTypes: FED_TYPES };

  const migrate = async () => {
    await migrateOnce(
      sql,
      deadlines,
      `create schema if not exists ${quoteIdentifier(schema)};
       create table if not exists ${deadlines} (
         saga text not null, saga_id text not null, sending text not null, due_at timestamptz not null,
         claim text, claimed_until timestamptz, primary key (saga_id, sending));
       create index if not exists saga_deadlines_due on ${deadlines} (saga, due_at);
       create table if not exists ${feeds} (saga text primary key, checkpoint text);`,
    );
    // The feed's row exists from the start, so a writer can always lock it.
    await sql.query(`insert into ${feeds} (saga) values ($1) on conflict do nothing`, [saga]);
  };

  /**
   * The rows read from `from` up to `to`, and the checkpoint moved to `to`, only if it is
   * still `from`. With several orchestrators feeding the table, the one that finds the
   * checkpoint moved writes nothing (false): what it read is written already, and its rows
   * would put back what has happened since (a row its instance was woken for). One
   * statement, so one transaction without a round trip inside it: in embedded mode an open
   * PGlite transaction holds every other query of the process until it ends. A row moved
   * to a new time is nobody's: a claim on its earlier time must not delete it.
   */
  const write = async (pending: Pending, from: string | null, to: string): Promise<boolean> => {
    // An instance that ended has no rows: none is written for it (the statement's parts see one snapshot).
    const entries = [...pending.times.values()].filter((entry) => !pending.ended.has(entry.sagaId));
    const due = entries.filter((entry) => entry.at !== null);
    const gone = entries.filter((entry) => entry.at === null);
    const { rows } = await sql.query(
      `with feed as (
         update ${feeds} set checkpoint = $3 where saga = $1 and checkpoint is not distinct from $2 returning 1),
       due as (
         insert into ${deadlines} (saga, saga_id, sending, due_at)
         select $1, * from unnest($4::text[], $5::text[], $6::timestamptz[]) where exists (select from feed)
         on conflict (saga_id, sending) do update set due_at = excluded.due_at, claim = null, claimed_until = null
         where ${deadlines}.due_at is distinct from excluded.due_at),
       gone as (
         delete from ${deadlines} where exists (select from feed)
         and ((saga_id, sending) in (select * from unnest($7::text[], $8::text[])) or saga_id = any($9::text[])))
       select from feed`,
      [
        saga,
        from,
        to,
        due.map((entry) => entry.sagaId),
        due.map((entry) => entry.sending),
        due.map((entry) => entry.at),
        gone.map((entry) => entry.sagaId),
        gone.map((entry) => entry.sending),
        [...pending.ended],
      ],
    );
    return rows.length === 1;
  };

  /**
   * Brings the table up to the saga's events: reads what was appended since the checkpoint
   * saved (by this orchestrator or another) and writes it in batches. Pulled once a tick
   * rather than woken by every append: deadlines are seconds away, and an order's appends
   * then cost the scheduler nothing.
   */
  const catchUp = async () => {
    const { rows } = await sql.query<{ checkpoint: string | null }>(`select checkpoint from ${feeds} where saga = $1`, [saga]);
    let from = rows[0]?.checkpoint ?? null;
    let pending: Pending = { times: new Map(), ended: new Set() };
    let checkpoint: string | undefined;
    for await (const event of store.readAll({ ...(from !== null && { from }), filter, batchSize: FEED_BATCH })) {
      note(pending, event);
      checkpoint = event.checkpoint;
      if (pending.times.size + pending.ended.size >= FEED_BATCH) {
        // Another orchestrator is feeding the table: it goes on, this one stops here.
        if (!(await write(pending, from, checkpoint))) return;
        from = checkpoint;
        pending = { times: new Map(), ended: new Set() };
      }
    }
    if (checkpoint !== undefined) await write(pending, from, checkpoint);
  };

  /** Takes the due rows nobody holds (or whose holder's lease ran out), wakes their instances, then lets the rows go. */
  const wakeDue = async (): Promise<number> => {
    const claim = randomUUID();
    const now = clock();
    const { rows } = await sql.query<{ saga_id: string }>(
      `update ${deadlines} set claim = $1, claimed_until = $2 where (saga_id, sending) in (
         select saga_id, sending from ${deadlines}
         where saga = $3 and due_at <= $4 and (claimed_until is null or claimed_until < $4)
         order by due_at limit $5 for update skip locked)
       returning saga_id`,
      [claim, new Date(now.getTime() + leaseMs), saga, now, batchSize],
    );
    const woken = [...new Set(rows.map((row) => row.saga_id))];
    for (const sagaId of woken) {
      try {
        await wake(sagaId);
      } catch (error) {
        // Its rows stay taken until the lease runs out, then it is woken again: one instance's trouble holds back no other.
        logger.error({ err: error, sagaId }, 'waking a saga instance failed; it is tried again when its lease runs out');
        await sql.query(`update ${deadlines} set claim = null where claim = $1 and saga_id = $2`, [claim, sagaId]).catch(() => undefined);
      }
    }
    // What the wake-ups appended reaches the table through the feed, unclaimed: only what was taken goes.
    await sql.query(`delete from ${deadlines} where claim = $1`, [claim]);
    return woken.length;
  };

  const tick = async (): Promise<number> => {
    await catchUp();
    return wakeDue();
  };

  const start = async (): Promise<RunningScheduler> => {
    await migrate();
    let ticking: Promise<unknown> = Promise.resolve();
    // One tick at a time: a slow one delays the next instead of running beside it.
    const next = () => {
      const run = ticking.then(tick);
      ticking = run.catch(() => undefined);
      return run;
    };
    const timer = setInterval(() => {
      // A tick that fails (the database away for a moment) is tried again at the next; one
      // that keeps failing leaves its instances overdue, which their views show as `stuck`.
      next().catch((error: unknown) => logger.error({ err: error }, 'the deadline scheduler could not look for due instances'));
    }, pollMs);
    timer.unref();
    return {
      failed: new Promise<never>(() => undefined),
      pollNow: next,
      stop: async () => {
        clearInterval(timer);
        await ticking;
      },
    };
  };

  return { migrate, start };
};
