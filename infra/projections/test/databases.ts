import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteSql, pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import type { TestScope } from '@ordo/testing';

/** The two databases a projection runs on: PostgreSQL through a pg pool, and PGlite. */
export const projectionDatabases = (scope: TestScope) => {
  const closes: (() => Promise<void>)[] = [];
  const open = {
    postgres: async (): Promise<TransactionalSql> => {
      await scope.db();
      const pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
      closes.push(() => pool.end());
      return pgPoolSql(pool);
    },
    pglite: async (): Promise<TransactionalSql> => {
      const db = new PGlite();
      closes.push(() => db.close());
      return pgliteSql(db);
    },
  };
  afterAll(async () => {
    for (const close of closes.splice(0)) await close();
  });
  return open;
};

/** A table's rows as plain JSON, ordered by the key: revisions (bigint, as either driver returns them) as text. */
export const rowsOf = async (sql: TransactionalSql, table: string, key = 'parcel_id'): Promise<Record<string, unknown>[]> => {
  const { rows } = await sql.query<Record<string, unknown>>(`select * from ${table} order by ${key}`);
  return rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([column, value]) => [column, typeof value === 'bigint' || typeof value === 'number' ? String(value) : value])),
  );
};
