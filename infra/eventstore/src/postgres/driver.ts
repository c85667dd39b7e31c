import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteSql, pgPoolSql } from '@ordo/runtime';

/**
 * What the PostgreSQL adapter needs from a connection, served by a `pg` pool (local and
 * compose modes) or by PGlite (embedded mode), so both run the same SQL.
 */
export interface PgDriver {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[], options?: { name?: string }): Promise<{ rows: Row[] }>;
  /** Runs work on one connection inside a transaction (for tests and migrations). */
  transaction<T>(work: (query: PgDriver['query']) => Promise<T>): Promise<T>;
  /** Wakes listeners in this process and, where the database is shared, in others. */
  notify(channel: string): Promise<void>;
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// A bigint column comes back as a string from pg and a number or bigint from PGlite.
export type DbBigint = string | number | bigint;

export const pgPoolDriver = (connectionString: string, options: { max?: number } = {}): PgDriver => {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  // An idle client that errors (the server restarted) must not crash the process.
  pool.on('error', () => undefined);
  const pooled = pgPoolSql(pool);
  const local = new EventEmitter().setMaxListeners(0);
  let listener: Promise<pg.Client> | undefined;
  const channels = new Set<string>();

  const listenerClient = () =>
    (listener ??= (async () => {
      const client = new pg.Client({ connectionString });
      // If this connection is lost, subscribers still poll, at most a second apart.
      client.on('error', () => undefined);
      client.on('notification', (message) => local.emit(message.channel));
      await client.connect();
      return client;
    })());

  return {
    // A named statement is parsed and planned once per connection, not on every call.
    query: async <Row>(text: string, params?: unknown[], options?: { name?: string }) =>
      (await pool.query({ text, values: params, ...(options?.name && { name: options.name }) })) as unknown as { rows: Row[] },
    transaction: pooled.transaction,
    notify: async (channel) => {
      local.emit(channel); // this process at once; others through the database
      await pool.query('select pg_notify($1, null)', [channel]);
    },
    listen: async (channel, onNotify) => {
      local.on(channel, onNotify);
      if (!channels.has(channel)) {
        channels.add(channel);
        await (await listenerClient()).query(`listen ${pg.escapeIdentifier(channel)}`);
      }
      return async () => void local.off(channel, onNotify);
    },
    close: async () => {
      if (listener) await (await listener).end().catch(() => undefined);
      await pool.end();
    },
  };
};

/** PGlite is one connection in this process: a notification is an in-process event. */
export const pgliteDriver = (db: PGlite, { ownsDatabase }: { ownsDatabase: boolean }): PgDriver => {
  const sql = pgliteSql(db);
  const local = new EventEmitter().setMaxListeners(0);
  return {
    query: sql.query,
    transaction: sql.transaction,
    notify: async (channel) => void local.emit(channel),
    listen: async (channel, onNotify) => {
      local.on(channel, onNotify);
      return async () => void local.off(channel, onNotify);
    },
    close: async () => {
      if (ownsDatabase) await db.close();
    },
  };
};
