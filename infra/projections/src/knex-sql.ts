import knexFactory, { type Knex } from 'knex';
import { quoteIdentifier, type CopyingQuery, type Query } from '@ordo/runtime';
import { copyText } from './copy-text';
import type { ProjectionWriter, ShadowFill } from './definition';
import type { ProjectionNames } from './names';
import { bigintAsText } from './row-writes';

/** A query builder without a connection: it only compiles; Ordo's Query (pg pool or PGlite) executes. */
export const builder: Knex = knexFactory({ client: 'pg' });

/**
 * Bindings as both node-pg and PGlite take them alike: a bigint as its text, a plain object
 * as its JSON (jsonb); arrays stay PostgreSQL arrays (`= any(?)`), so a jsonb array is
 * given as JSON.stringify(...) by the caller.
 */
export const prepareBinding = (value: unknown): unknown => {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value) || Array.isArray(value)) return value;
  return JSON.stringify(value, bigintAsText);
};

type Compilable = { toSQL(): { toNative(): { sql: string; bindings: readonly unknown[] } } };

export const runCompiled = async <Row>(query: Query, compilable: Compilable): Promise<Row[]> => {
  const { sql, bindings } = compilable.toSQL().toNative();
  return (await query<Row>(sql, bindings.map(prepareBinding))).rows;
};

/** The writer a projection's `apply` gets: its tables' physical names in this table set, in this transaction. */
export const projectionWriter = (query: Query, names: ProjectionNames, fill?: ShadowFill): ProjectionWriter => {
  const { copyFrom } = query as CopyingQuery;
  return {
    knex: builder,
    // Unquoted `schema.table`: knex quotes each part, and the projection's raw SQL binds it with `??`.
    table: (name) => `${names.schema}.${names.physical(name)}`,
    run: (compilable) => runCompiled(query, compilable as unknown as Compilable),
    query: async <Row>(sql: string, values: readonly unknown[]) => (await query<Row>(sql, values.map(prepareBinding))).rows,
    ...(fill ? { fill } : {}),
    ...(copyFrom
      ? {
          insertRows: async (table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]) => {
            const [schema = '', name = ''] = table.split('.');
            await copyFrom(`copy ${quoteIdentifier(schema)}.${quoteIdentifier(name)} (${columns.map(quoteIdentifier).join(', ')}) from stdin`, copyText(rows));
          },
        }
      : {}),
  };
};
