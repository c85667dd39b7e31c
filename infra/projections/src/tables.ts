import type { Query, TransactionalSql } from '@ordo/runtime';
import { quoteIdentifier } from '@ordo/runtime';
import type { Projection } from './definition';
import { builder, prepareBinding } from './knex-sql';
import { projectionNames, type ProjectionNames } from './names';

// The DDL of a projection's table sets and of the registry of versions. PostgreSQL DDL is
// transactional: a set is created, swapped or dropped whole, or not at all.

export type ProjectionState = 'live' | 'rebuilding';

export interface RegistryRow {
  name: string;
  version: number;
  state: ProjectionState;
  rebuilt_at: Date | null;
}

/** Drops a table set (the projection's tables and its checkpoints) if it exists. */
export const dropTableSet = async (query: Query, projection: Projection, names: ProjectionNames): Promise<void> => {
  const schema = quoteIdentifier(names.schema);
  for (const table of [...projection.tables.map((table) => names.physical(table.name)), names.checkpoints]) {
    await query(`drop table if exists ${schema}.${quoteIdentifier(table)}`);
  }
};

const SECONDARY_INDEX = /^create (unique )?index /i;

/**
 * Creates a table set afresh: what the projection declares, and its checkpoint table.
 * With `deferIndexes` (a rebuild's shadow) the secondary indexes are not made but returned,
 * to be made once the tables are filled: one sort a table instead of an index update a row.
 */
export const createTableSet = async (query: Query, projection: Projection, names: ProjectionNames, { deferIndexes = false } = {}): Promise<string[]> => {
  await dropTableSet(query, projection, names);
  const deferred: string[] = [];
  for (const table of projection.tables) {
    for (const statement of table.create(builder.schema.withSchema(names.schema), names.physical(table.name)).toSQL()) {
      if (deferIndexes && SECONDARY_INDEX.test(statement.sql) && statement.bindings.length === 0) deferred.push(statement.sql);
      else await query(statement.sql, statement.bindings.map(prepareBinding));
    }
  }
  // The offset is text: a Kafka offset, or the embedded bus's store checkpoint `<major>:<minor>`.
  await query(`create table ${quoteIdentifier(names.schema)}.${quoteIdentifier(names.checkpoints)} (
    topic text not null,
    partition int not null,
    "offset" text not null,
    last_recorded_at timestamptz,
    updated_at timestamptz not null default now(),
    primary key (topic, partition))`);
  return deferred;
};

const ensureRegistry = async (query: Query, names: ProjectionNames) => {
  await query(`create schema if not exists ${quoteIdentifier(names.schema)}`);
  await query(`create table if not exists ${names.registry} (
    name text primary key,
    version int not null,
    state text not null,
    rebuilt_at timestamptz,
    updated_at timestamptz not null default now())`);
};

export const readRegistry = async (query: Query, projection: Projection, schema: string): Promise<RegistryRow | undefined> => {
  const names = projectionNames(projection, schema);
  const { rows } = await query<RegistryRow>(`select name, version, state, rebuilt_at from ${names.registry} where name = $1`, [projection.name]);
  return rows[0];
};

export const setState = async (query: Query, projection: Projection, schema: string, state: ProjectionState): Promise<void> => {
  const names = projectionNames(projection, schema);
  await query(`update ${names.registry} set state = $2, updated_at = now() where name = $1 and state <> $2`, [projection.name, state]);
};

/**
 * At start: makes the live tables those of the code's version. The first start, and a
 * version the registry does not hold, create them afresh and empty, marked `rebuilding`
 * until the runner (its group `<name>-v<version>` new, so from the beginning of the
 * topics) has caught up. Replicas starting together take turns on an advisory lock.
 * Returns whether the tables were (re)created.
 */
export const migrateProjection = async (sql: TransactionalSql, projection: Projection, schema: string): Promise<boolean> => {
  const names = projectionNames(projection, schema);
  return sql.transaction(async (query) => {
    await query(`select pg_advisory_xact_lock(hashtext($1))`, [`${schema}.ordo_projections`]);
    await ensureRegistry(query, names);
    const registered = await readRegistry(query, projection, schema);
    if (registered?.version === projection.version) return false;
    await createTableSet(query, projection, names);
    await query(
      `insert into ${names.registry} (name, version, state, rebuilt_at) values ($1, $2, 'rebuilding', now())
       on conflict (name) do update set version = excluded.version, state = 'rebuilding', rebuilt_at = now(), updated_at = now()`,
      [projection.name, projection.version],
    );
    return true;
  });
};
