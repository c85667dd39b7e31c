import { quoteIdentifier, type SqlClient } from '@ordo/runtime';
import { STUCK_AFTER_MS } from '@ordo/saga';
import { INSTANCE_COLUMNS, type SagaInstanceRow } from './instance-row';
import { HISTORY_TABLE, INSTANCES_TABLE, MILESTONE_TYPES } from './projection';

// The dashboard's reads. Every list is in one order, the last change first (updated_at,
// then saga_id), and pages by keyset on it: each filter has an index that serves it in that
// order (projection.ts). `stuck` is decided here, at the time of the query: a running or
// compensating instance whose next wake-up is more than STUCK_AFTER_MS overdue, which the
// saga service's scheduler would have handled had it run.

export const INSTANCE_STATES = ['running', 'compensating', 'stuck', 'completed', 'rolled-back', 'failed', 'resolved'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface InstanceFilter {
  state?: InstanceState;
  saga?: string;
  version?: number;
  /** Last changed at or after, and before. */
  changedFrom?: string;
  changedTo?: string;
  /** The business key (the order id) starts with it. */
  key?: string;
}

/** Where a page ends: the last instance's last change and id. */
export interface InstanceCursor {
  updatedAt: string;
  sagaId: string;
}

export interface HistoryRow {
  saga_id: string;
  revision: string;
  type: string;
  data: unknown;
  correlation_id: string | null;
  causation_id: string | null;
  trace_id: string | null;
  recorded_at: Date;
}

export interface ThroughputRow {
  minute: Date;
  type: string;
  count: string;
}

export interface DashboardQueries {
  /** A page; `limit + 1` rows are read so the caller knows whether more follow. */
  list(filter: InstanceFilter, limit: number, after: InstanceCursor | undefined, now: Date): Promise<SagaInstanceRow[]>;
  /** How many instances are in each state now. */
  counts(now: Date): Promise<Record<InstanceState, number>>;
  byId(sagaId: string): Promise<SagaInstanceRow | undefined>;
  /** An instance's events in order, from the one after `afterRevision`; `limit + 1` rows. */
  history(sagaId: string, afterRevision: bigint, limit: number): Promise<HistoryRow[]>;
  /** Starts, completions, roll-backs and failures per minute since `since`. */
  throughput(since: Date): Promise<ThroughputRow[]>;
  /** Instances last changed at or after `since`, oldest first: what a live page may not have seen. */
  changedSince(since: string, limit: number): Promise<SagaInstanceRow[]>;
  /** Running or compensating instances whose wake-up became overdue between the two times: stuck since. */
  becameStuck(from: Date, to: Date): Promise<SagaInstanceRow[]>;
  /** The latest change: where a live page starts following. */
  latestChange(): Promise<string | undefined>;
}

const ACTIVE = `status in ('running', 'compensating')`;

/** A list's columns: all but the whole state, which only the instance's own view needs (and which is most of a row). */
const SUMMARY_COLUMNS = ['saga_id', ...INSTANCE_COLUMNS.filter((column) => column !== 'state')].join(', ');

/** Escapes LIKE's wildcards, so a key is matched as typed. */
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

export const iso = (value: Date | string | number): string => (value instanceof Date ? value : new Date(value)).toISOString();

export const dashboardQueries = (sql: SqlClient, schema: string): DashboardQueries => {
  const instances = `${quoteIdentifier(schema)}.${quoteIdentifier(INSTANCES_TABLE)}`;
  const history = `${quoteIdentifier(schema)}.${quoteIdentifier(HISTORY_TABLE)}`;
  // Rows before SagaStarted are no instance yet (the projection writes none, but a row is only an instance with its status).
  const isInstance = 'status is not null';
  return {
    list: async (filter, limit, after, now) => {
      const params: unknown[] = [];
      const bind = (value: unknown) => `$${params.push(value)}`;
      const where = [isInstance];
      if (filter.state === 'stuck' || filter.state === 'running' || filter.state === 'compensating') {
        const overdue = `next_wake_at < ${bind(new Date(now.getTime() - STUCK_AFTER_MS).toISOString())}`;
        if (filter.state === 'stuck') where.push(ACTIVE, overdue);
        else where.push(`status = ${bind(filter.state)}`, `not coalesce(${overdue}, false)`);
      } else if (filter.state) where.push(`status = ${bind(filter.state)}`);
      if (filter.saga) where.push(`saga = ${bind(filter.saga)}`);
      if (filter.version !== undefined) where.push(`version = ${bind(filter.version)}`);
      if (filter.changedFrom) where.push(`updated_at >= ${bind(filter.changedFrom)}`);
      if (filter.changedTo) where.push(`updated_at < ${bind(filter.changedTo)}`);
      if (filter.key) where.push(`business_key like ${bind(likePrefix(filter.key))}`);
      if (after) where.push(`(updated_at, saga_id) < (${bind(after.updatedAt)}, ${bind(after.sagaId)})`);
      const { rows } = await sql.query<SagaInstanceRow>(
        `select ${SUMMARY_COLUMNS} from ${instances} where ${where.join(' and ')} order by updated_at desc, saga_id desc limit ${bind(limit + 1)}`,
        params,
      );
      return rows;
    },
    counts: async (now) => {
      // Both counts are answered by the (status, next_wake_at) index alone; the stuck ones
      // are counted under their status first, then moved.
      const cutoff = new Date(now.getTime() - STUCK_AFTER_MS).toISOString();
      const [{ rows: byStatus }, { rows: stuckByStatus }] = await Promise.all([
        sql.query<{ status: InstanceState; count: string }>(`select status, count(*) as count from ${instances} where ${isInstance} group by status`),
        sql.query<{ status: InstanceState; count: string }>(
          `select status, count(*) as count from ${instances} where ${ACTIVE} and next_wake_at < $1 group by status`,
          [cutoff],
        ),
      ]);
      const counts = Object.fromEntries(INSTANCE_STATES.map((state) => [state, 0])) as Record<InstanceState, number>;
      for (const row of byStatus) if (row.status in counts) counts[row.status] += Number(row.count);
      for (const row of stuckByStatus) {
        counts[row.status] -= Number(row.count);
        counts.stuck += Number(row.count);
      }
      return counts;
    },
    byId: async (sagaId) => {
      const { rows } = await sql.query<SagaInstanceRow>(`select * from ${instances} where saga_id = $1 and ${isInstance}`, [sagaId]);
      return rows[0];
    },
    history: async (sagaId, afterRevision, limit) => {
      const { rows } = await sql.query<HistoryRow>(
        // Ordered by the column, not by the text it is answered as (PGlite would answer a bigint as a number).
        `select saga_id, revision::text as revision, type, data, correlation_id, causation_id, trace_id, recorded_at
         from ${history} as event where saga_id = $1 and event.revision > $2 order by event.revision limit $3`,
        [sagaId, afterRevision.toString(), limit + 1],
      );
      return rows;
    },
    throughput: async (since) => {
      const { rows } = await sql.query<ThroughputRow>(
        `select date_trunc('minute', recorded_at) as minute, type, count(*) as count
         from ${history} where type = any($1) and recorded_at >= $2 group by 1, 2 order by 1`,
        [MILESTONE_TYPES, since.toISOString()],
      );
      return rows;
    },
    changedSince: async (since, limit) => {
      const { rows } = await sql.query<SagaInstanceRow>(
        `select ${SUMMARY_COLUMNS} from ${instances} where ${isInstance} and updated_at >= $1 order by updated_at, saga_id limit $2`,
        [since, limit],
      );
      return rows;
    },
    becameStuck: async (from, to) => {
      const { rows } = await sql.query<SagaInstanceRow>(
        `select ${SUMMARY_COLUMNS} from ${instances} where ${ACTIVE} and next_wake_at >= $1 and next_wake_at < $2 order by next_wake_at limit 500`,
        [new Date(from.getTime() - STUCK_AFTER_MS).toISOString(), new Date(to.getTime() - STUCK_AFTER_MS).toISOString()],
      );
      return rows;
    },
    latestChange: async () => {
      const { rows } = await sql.query<{ latest: Date | null }>(`select max(updated_at) as latest from ${instances}`);
      const latest = rows[0]?.latest;
      return latest ? iso(latest) : undefined;
    },
  };
};
