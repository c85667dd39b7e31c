import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';

/**
 * The little of a SQL client the platform's own tables need (idempotency keys,
 * checkpoints, inboxes, dead letters). A `pg` Pool and a PGlite database both satisfy
 * it, so one store serves local mode and embedded mode.
 */
export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** A schema name safe to splice into SQL: identifiers cannot be bound as parameters. */
export const quoteIdentifier = (name: string): string => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`'${name}' is not a valid SQL identifier`);
  return `"${name}"`;
};

/** A transaction's query that can also COPY text rows in (node-pg only). */
export type CopyingQuery = Query & { copyFrom?: (statement: string, text: string) => Promise<void> };

export type Query = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<{ rows: Row[] }>;

/**
 * One connection set apart for the life of session state, such as a session-level
 * advisory lock: whatever the session holds is released when it closes or is lost.
 */
export interface SqlSession extends SqlClient {
  /** Rejects when the connection is lost or fails; pending otherwise. */
  readonly lost: Promise<never>;
  /** Closes the connection itself (never returns it to a pool), releasing what it held. */
  close(): Promise<void>;
}

/** A SqlClient that can also run work in one transaction, on one connection. */
export interface TransactionalSql extends SqlClient {
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  /** A connection of its own for session state; only where there are separate connections (a pool, not PGlite). */
  session?(): Promise<SqlSession>;
}

/**
 * How long a service's pool keeps a connection nobody used. A new connection costs the
 * server about 20 ms of CPU here and the process about 2 (docs/decisions.md), and `pg`'s
 * default of 10 s closed connections between a shop's bursts, so a connection lives for
 * a minute unused. Each process holds no more than its share of the server's connections
 * (the local supervisor's connection budget) either way.
 */
export const POOL_IDLE_CONNECTION_MS = 60_000;

/** Local mode: a `pg` pool; a transaction takes one client from it for its duration. */
export const pgPoolSql = (pool: pg.Pool): TransactionalSql => ({
  query: async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)) as unknown as { rows: Row[] },
  transaction: async (work) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const query: Query = async <Row>(text: string, params?: unknown[]) => (await client.query(text, params)) as unknown as { rows: Row[] };
      (query as CopyingQuery).copyFrom = async (statement: string, text: string) => {
        await pipeline(Readable.from([text]), client.query(copyFromStream(statement)));
      };
      const result = await work(query);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  },
  session: async () => {
    const client = await pool.connect();
    let signalLost: (error: Error) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => {
      signalLost = reject;
    });
    lost.catch(() => undefined); // observed by whoever holds the session; never an unhandled rejection
    let closing = false;
    // A checked-out client has no pool listener: without one, its 'error' would crash the process.
    client.on('error', (error) => signalLost(error));
    client.on('end', () => {
      if (!closing) signalLost(new Error('the session connection to PostgreSQL ended'));
    });
    return {
      lost,
      query: async <Row>(text: string, params?: unknown[]) => (await client.query(text, params)) as unknown as { rows: Row[] },
      close: async () => {
        closing = true;
        // Released as broken, so the pool ends the connection instead of lending it, session state and all.
        client.release(true);
      },
    };
  },
});

/** What the platform asks of PGlite: a statement at a time. */
export interface PgliteQueries {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** The part of PGlite the platform uses: PGlite itself, or embedded mode's PGlite on a thread of its own. */
export interface PgliteDatabase extends PgliteQueries {
  /** Runs `work` in one transaction; every other statement waits until it ends. */
  transaction<T>(work: (tx: PgliteQueries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Requests sent and not yet answered, where it can tell (the PGlite thread): the queue for its one connection. */
  waiting?(): number;
}

/** Embedded mode: PGlite, one connection. */
export const pgliteSql = (db: PgliteDatabase): TransactionalSql => ({
  query: async <Row>(text: string, params?: unknown[]) => (await db.query(text, params)) as unknown as { rows: Row[] },
  transaction: (work) =>
    db.transaction((tx) => work(async <Row>(text: string, params?: unknown[]) => (await tx.query(text, params)) as unknown as { rows: Row[] })),
});

/**
 * Runs the DDL of a platform table (idempotency keys, checkpoints, inbox, dead letters)
 * as one statement, so one transaction: replicas starting together take turns on an
 * advisory lock named after the table, where racing in `create ... if not exists` would
 * fail the losers ("already exists").
 */
export const migrateOnce = async (sql: SqlClient, table: string, ddl: string): Promise<void> => {
  await sql.query(`do $ordo$ begin
    perform pg_advisory_xact_lock(hashtext('${table.replace(/'/g, "''")}'));
    ${ddl}
  end $ordo$`);
};
