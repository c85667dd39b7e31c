// The database a test host puts its stores and tables in: the test run's PostgreSQL server
// (the default: real parts), or an in-memory PGlite where embedded mode is the subject.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteDriver, pgPoolDriver, postgresEventStore, type EventStore } from '@ordo/eventstore';
import { pgliteSql, pgPoolSql, quoteIdentifier, type TransactionalSql } from '@ordo/runtime';
// Not the package's index, which brings jest's kits: a tool outside jest mounts a test host on PGlite.
import { testEnvironment } from '@ordo/testing/environment';
import type { StoreSpec } from '../module';

export type TestDatabaseKind = 'postgres' | 'pglite';

export interface TestDatabase {
  sql: TransactionalSql;
  /** The schema a store or a service's tables get: on PostgreSQL, prefixed for this host alone. */
  schemaFor(name: string): string;
  openStore(schema: string, spec: Partial<StoreSpec>): Promise<EventStore>;
}

/** Opens the database; what it opens is closed by the closers it pushes (run in reverse). */
export const openTestDatabase = async (kind: TestDatabaseKind, closers: (() => Promise<unknown>)[]): Promise<TestDatabase> => {
  if (kind === 'pglite') {
    // One PGlite holds every store, a schema each: a PGlite per store starts much slower.
    const db = new PGlite();
    closers.push(() => db.close());
    return {
      sql: pgliteSql(db),
      schemaFor: (name) => name,
      openStore: async (schema, spec) => {
        const store = await postgresEventStore(pgliteDriver(db, { ownsDatabase: false }), { schema, ...spec });
        closers.push(() => store.close());
        return store;
      },
    };
  }

  const { databaseUrl } = testEnvironment();
  const prefix = `th_${randomBytes(4).toString('hex')}_`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
  pool.on('error', () => undefined);
  // Pushed first, so it runs last: after the stores and the buses have stopped using them.
  closers.push(async () => {
    try {
      const { rows } = await pool.query<{ nspname: string }>('select nspname from pg_namespace where starts_with(nspname, $1)', [prefix]);
      for (const { nspname } of rows) await pool.query(`drop schema ${quoteIdentifier(nspname)} cascade`);
    } finally {
      await pool.end();
    }
  });
  // Every store of the host shares one pool and one LISTEN connection (a schema each, so a
  // channel each): a shop of test hosts opens a store per service and per stand-in, and with
  // a pool and a listener each it came within 5 of PostgreSQL's 100 connections.
  const driver = pgPoolDriver(databaseUrl);
  closers.push(() => driver.close());
  const shared = { ...driver, close: async () => undefined };
  return {
    sql: pgPoolSql(pool),
    schemaFor: (name) => `${prefix}${name}`,
    openStore: async (schema, spec) => {
      const store = await postgresEventStore(shared, { schema, ...spec });
      closers.push(() => store.close());
      return store;
    },
  };
};
