// The deadline scheduler (docs/sagas.md, "Deadlines and retries"). A feed from the saga's own
// events keeps a table of what each instance waits for and until when (a sending's deadline,
// a retry's time); a poller takes the rows that are due with FOR UPDATE SKIP LOCKED, so several
// orchestrators never wake an instance for one row together, and wakes their instances.
import type { EventStore, PositionedEvent, Subscription } from '@ordo/eventstore';
import { migrateOnce, quoteIdentifier, type Logger, type TransactionalSql } from '@ordo/runtime';
import { randomUUID } from 'node:crypto';
import { checkpointSaver, failureSignal, sqlCheckpointStore } from '@ordo/messaging';
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
  /** How often due rows are looked for: default 1 s. */
  pollMs?: number;
  /** Rows taken per look: default 100. */
  batchSize?: number;
  /** How long a taken row is left to its taker before another orchestrator may take it: default 30 s. */
  leaseMs?: number;
}

export interface RunningScheduler {
  stop(): Promise<void>;
  /** Rejects when the feed or the poller failed for good. */
  readonly failed: Promise<never>;
  /** Wakes the instances that are due now instead of at the next poll (tests, and a stop's last look). */
  pollNow(): Promise<number>;
}

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
  const feedName = `saga-deadlines:${saga}`;

  const migrate = async () => {
    await migrateOnce(
      sql,
      deadlines,
      `create schema if not exists ${quoteIdentifier(schema)};
       create table if not exists ${deadlines} (
         saga text not null, saga_id text not null, sending text not null, due_at timestamptz not null,
         claim text, claimed_until timestamptz, primary key (saga_id, sending));
       create index if not exists saga_deadlines_due on ${deadlines} (saga, due_at);`,
    );
    await sqlCheckpointStore(sql, { schema }).migrate();
  };

  /**
   * One transaction: the checkpoint, then the rows up to it. With several orchestrators each
   * feeding the table, one behind the checkpoint saved writes nothing: its rows would be
   * older than those written already (a retry's new deadline put back to the old one).
   */
  const write = (pending: Pending, checkpoint: string) =>
    sql.transaction(async (query) => {
      if (!(await sqlCheckpointStore({ query }, { schema }).save(feedName, checkpoint))) return;
      const entries = [...pending.times.values()];
      const due = entries.filter((entry) => entry.at !== null);
      const gone = entries.filter((entry) => entry.at === null);
      if (due.length > 0)
        // A row written anew is nobody's: a claim on its earlier time must not delete it.
        await query(
          `insert into ${deadlines} (saga, saga_id, sending, due_at) select $1, * from unnest($2::text[], $3::text[], $4::timestamptz[])
           on conflict (saga_id, sending) do update set due_at = excluded.due_at, claim = null, claimed_until = null`,
          [saga, due.map((entry) => entry.sagaId), due.map((entry) => entry.sending), due.map((entry) => entry.at)],
        );
      if (gone.length > 0)
        await query(`delete from ${deadlines} where (saga_id, sending) in (select * from unnest($1::text[], $2::text[]))`, [
          gone.map((entry) => entry.sagaId),
          gone.map((entry) => entry.sending),
        ]);
      if (pending.ended.size > 0) await query(`delete from ${deadlines} where saga_id = any($1::text[])`, [[...pending.ended]]);
    });

  /** Takes the due rows nobody holds (or whose holder's lease ran out), wakes their instances, then lets the rows go. */
  const poll = async (): Promise<number> => {
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
    // What the wake-ups wrote anew reaches the table through the feed, unclaimed: only what was taken goes.
    await sql.query(`delete from ${deadlines} where claim = $1`, [claim]);
    return woken.length;
  };

  const start = async (): Promise<RunningScheduler> => {
    await migrate();
    const { failed, fail } = failureSignal();
    const from = await sqlCheckpointStore(sql, { schema }).load(feedName);
    let pending: Pending = { times: new Map(), ended: new Set() };
    // Rows and checkpoint are written together at most every 50 ms: a burst costs one transaction.
    const saver = checkpointSaver(async (checkpoint) => {
      const taken = pending;
      pending = { times: new Map(), ended: new Set() };
      await write(taken, checkpoint);
    }, fail);
    const feed: Subscription = store.subscribeToAll({
      ...(from !== undefined && { from }),
      filter: { streamPrefixes: [sagaStreamPrefix(saga)], eventTypes: FED_TYPES },
      handler: (event) => {
        note(pending, event);
        saver.advance(event.checkpoint);
      },
    });
    feed.done.catch(fail);

    let stopping = false;
    let polling: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      if (stopping) return;
      polling = polling.then(poll).catch(fail);
    }, pollMs);

    return {
      failed,
      pollNow: async () => {
        await saver.flush();
        const next = polling.then(poll);
        polling = next.catch(() => undefined);
        return next;
      },
      stop: async () => {
        stopping = true;
        clearInterval(timer);
        await polling.catch(() => undefined);
        await feed.stop();
        await saver.flush();
      },
    };
  };

  return { migrate, start };
};
