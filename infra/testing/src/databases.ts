import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteSql, pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import type { TestScope } from './scope';

export interface TestDatabase {
  sql: TransactionalSql;
  /** The schema to keep tables in: the scope's own on PostgreSQL, a fixed one on a fresh PGlite. */
  schema: string;
  close(): Promise<void>;
}

/**
 * The two databases a platform table must work on, for `describe.each`: PostgreSQL
 * through a pg pool (local mode) in the file's schema, and a fresh in-memory PGlite
 * (embedded mode).
 */
export const sqlDatabases = (scope: TestScope): [string, () => Promise<TestDatabase>][] => [
  [
    'PostgreSQL',
    async () => {
      await scope.db(); // creates the schema, which the scope drops afterwards
      const pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 10 });
      return { sql: pgPoolSql(pool), schema: scope.schema, close: () => pool.end() };
    },
  ],
  [
    'PGlite',
    async () => {
      const db = new PGlite();
      return { sql: pgliteSql(db), schema: 'ordo_test', close: () => db.close() };
    },
  ],
];
