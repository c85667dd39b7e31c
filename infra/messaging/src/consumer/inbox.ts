import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { quoteIdentifier } from '@ordo/runtime';

export type Query = <Row = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<{ rows: Row[] }>;

/** A database that can run work in one transaction: a `pg` pool, or PGlite in embedded mode. */
export interface TransactionalDatabase {
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  query: Query;
}

export const pgPoolDatabase = (pool: pg.Pool): TransactionalDatabase => ({
  query: async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)) as unknown as { rows: Row[] },
  transaction: async (work) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const result = await work(async <Row>(text: string, params?: unknown[]) => (await client.query(text, params)) as unknown as { rows: Row[] });
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  },
});

export const pgliteDatabase = (db: PGlite): TransactionalDatabase => ({
  query: async <Row>(text: string, params?: unknown[]) => (await db.query(text, params)) as unknown as { rows: Row[] },
  transaction: (work) => db.transaction((tx) => work(async <Row>(text: string, params?: unknown[]) => (await tx.query(text, params)) as unknown as { rows: Row[] })),
});

/**
 * Effects that live only in PostgreSQL (projections) get exactly-once from the inbox:
 * the handler's writes and the processed message id commit in one transaction, so a
 * redelivered message finds its id and has no second effect.
 */
export const inbox = (database: TransactionalDatabase, options: { schema?: string } = {}) => {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const table = `${schema}.ordo_inbox`;
  return {
    database,
    migrate: async () => {
      await database.query(`do $$ begin
        perform pg_advisory_xact_lock(hashtext('${table}'));
        create schema if not exists ${schema};
        create table if not exists ${table} (consumer text not null, message_id text not null, processed_at timestamptz not null default now(), primary key (consumer, message_id));
      end $$`);
    },
    /**
     * Runs work inside a transaction that first records the message as processed; a
     * message already recorded is skipped (false). Recording first also makes a
     * concurrent duplicate (during a rebalance) wait for the first and then skip.
     */
    once: (consumer: string, messageId: string, work: (query: Query) => Promise<void>): Promise<boolean> =>
      database.transaction(async (query) => {
        const { rows } = await query(`insert into ${table} (consumer, message_id) values ($1, $2) on conflict do nothing returning 1 as fresh`, [consumer, messageId]);
        if (rows.length === 0) return false;
        await work(query);
        return true;
      }),
  };
};

export type Inbox = ReturnType<typeof inbox>;
