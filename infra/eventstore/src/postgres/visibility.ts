import type { DbBigint, PgDriver } from './driver';

export interface VisibilityReport {
  /** Committed or in-flight events that readers cannot see yet, behind an older transaction. */
  heldBackEvents: number;
  /** The oldest transaction with an id still running in the cluster, which holds readers back. */
  oldestTransaction?: { pid: number; database: string | null; ageMs: number; state: string | null; query: string | null };
}

/**
 * Readers only see transactions older than the oldest one still running anywhere in
 * the cluster. A transaction left open elsewhere therefore stalls every subscription;
 * this says by how many events, and which transaction, instead of staying silent.
 */
export const visibilityReport = async (driver: PgDriver, table: string): Promise<VisibilityReport> => {
  const held = await driver.query<{ held: DbBigint }>(`select count(*) as held from ${table} where transaction_id >= pg_snapshot_xmin(pg_current_snapshot())`);
  const oldest = await driver
    .query<{ pid: number; datname: string | null; age_ms: DbBigint; state: string | null; query: string | null }>(
      `select pid, datname, (extract(epoch from clock_timestamp() - xact_start) * 1000)::bigint as age_ms, state, left(query, 200) as query
       from pg_stat_activity
      where backend_xid is not null and pid <> pg_backend_pid()
      order by xact_start
      limit 1`,
    )
    .catch(() => ({ rows: [] })); // PGlite has no other backends to report
  const row = oldest.rows[0];
  return {
    heldBackEvents: Number(held.rows[0]?.held ?? 0),
    ...(row && { oldestTransaction: { pid: row.pid, database: row.datname, ageMs: Number(row.age_ms), state: row.state, query: row.query } }),
  };
};
