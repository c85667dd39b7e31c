import { EventEmitter } from 'node:events';
import pg from 'pg';
import { createLogger, pgliteSql, pgPoolSql, POOL_IDLE_CONNECTION_MS, type PgliteDatabase } from '@ordo/runtime';
import { backendPidOf, pgListener, type ListenerLogger } from './listener';
import { listenerCensus } from './listener-census';

/** The application_name of the connection that LISTENs, to find it in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'ordo-eventstore-listen';

/**
 * What the PostgreSQL adapter needs from a connection, served by a `pg` pool (local and
 * compose modes) or by PGlite (embedded mode), so both run the same SQL.
 */
export interface PgDriver {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[], options?: { name?: string }): Promise<{ rows: Row[] }>;
  /** Runs work on one connection inside a transaction (for tests and migrations). */
  transaction<T>(work: (query: PgDriver['query']) => Promise<T>): Promise<T>;
  /** Wakes this process's listeners on the channel, at once. */
  wakeHere(channel: string): void;
  /** Wakes other drivers' listeners (other processes'), where one listens on the database (PGlite has no others). */
  notify(channel: string): Promise<void>;
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Whether notifications from other processes arrive now (PGlite: always, it has no others). */
  isListening(): boolean;
  /** The shortest wait between a store's bursts of live reads, under load (read-pacer.ts). */
  readonly liveReadMinGapMs: number;
  /**
   * Whether every transaction on this database runs alone, one after another, all of them
   * in this process (PGlite): then positions are taken in the order transactions commit,
   * and a store hands what it appended to its subscriptions instead of their reading it
   * back (store.ts, "Handing over").
   */
  readonly serialCommits: boolean;
  close(): Promise<void>;
}

// A bigint column comes back as a string from pg and a number or bigint from PGlite.
export type DbBigint = string | number | bigint;

export interface PgPoolDriverOptions {
  /** Pool size. Default 10. */
  max?: number;
  /** Where the LISTEN connection says it was lost and is back. Default: JSON lines on stdout. */
  logger?: ListenerLogger;
}

export const pgPoolDriver = (connectionString: string, options: PgPoolDriverOptions = {}): PgDriver => {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, idleTimeoutMillis: POOL_IDLE_CONNECTION_MS });
  // An idle client that errors (the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  const pooled = pgPoolSql(pool);
  const local = new EventEmitter().setMaxListeners(0);
  // This pool's own NOTIFYs come back through LISTEN too, after wakeHere woke this process at
  // once: recognised by the sending backend, they would only cost every subscriber a read.
  const ownBackends = new Set<number>();
  pool.on('connect', (client) => void ownBackends.add(backendPidOf(client)));
  pool.on('remove', (client) => void ownBackends.delete(backendPidOf(client)));
  const listener = pgListener(connectionString, {
    onNotify: (channel, sender) => {
      if (sender === undefined || !ownBackends.has(sender)) local.emit(channel);
    },
    logger: options.logger ?? createLogger({ service: 'ordo-eventstore' }),
    applicationName: LISTEN_APPLICATION_NAME,
  });
  const census = listenerCensus({
    query: (text, params) => pool.query(text, params),
    applicationName: LISTEN_APPLICATION_NAME,
    ownListener: listener.backendPid,
  });
  return {
    // A server every process shares, where each read costs a round trip: under load its relays
    // read no more often than every 5 ms, as before the pace followed the load (at 2 to 4 ms
    // the local shop's CPU per order rose by a tenth; docs/decisions.md).
    liveReadMinGapMs: 5,
    // Transactions of many connections and processes overlap, and commit out of position order.
    serialCommits: false,
    // A named statement is parsed and planned once per connection, not on every call.
    query: async <Row>(text: string, params?: unknown[], options?: { name?: string }) =>
      (await pool.query({ text, values: params, ...(options?.name && { name: options.name }) })) as unknown as { rows: Row[] },
    transaction: pooled.transaction,
    wakeHere: (channel) => void local.emit(channel),
    // Only where another driver listens on the database (listener-census.ts): else it reaches nobody.
    notify: async (channel) => {
      if (await census.othersListening()) await pool.query('select pg_notify($1, null)', [channel]);
    },
    listen: async (channel, onNotify) => {
      local.on(channel, onNotify);
      await listener.listen(channel);
      return async () => void local.off(channel, onNotify);
    },
    isListening: listener.isListening,
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
};

/** PGlite is one connection in this process: a notification is an in-process event. */
export const pgliteDriver = (db: PgliteDatabase, { ownsDatabase }: { ownsDatabase: boolean }): PgDriver => {
  const sql = pgliteSql(db);
  const local = new EventEmitter().setMaxListeners(0);
  return {
    // In this process, on a thread of its own: a burst of reads says how busy it is.
    liveReadMinGapMs: 0,
    // One connection, on one thread that runs a statement, or a transaction, at a time.
    serialCommits: true,
    query: sql.query,
    transaction: sql.transaction,
    wakeHere: (channel) => void local.emit(channel),
    notify: async () => undefined,
    listen: async (channel, onNotify) => {
      local.on(channel, onNotify);
      return async () => void local.off(channel, onNotify);
    },
    isListening: () => true,
    close: async () => {
      if (ownsDatabase) await db.close();
    },
  };
};
