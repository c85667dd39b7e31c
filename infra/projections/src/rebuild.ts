import { quoteIdentifier, type Query, type TransactionalSql } from '@ordo/runtime';
import { applyMessages, type ApplyOptions } from './apply';
import type { Projection } from './definition';
import { fillRun, MAX_WRITES_ASIDE } from './fill';
import { diffTableSets, type TableDiff } from './diff';
import type { ProjectionMessage } from './events';
import type { FeedTarget, ProjectionFeed } from './feeds/feed';
import { projectionNames, type ProjectionNames } from './names';
import { createTableSet, dropTableSet, migrateProjection } from './tables';

// A full rebuild (docs/projections.md, "Rebuilds"): a shadow table set filled from a feed
// while the live one serves, then, with the live checkpoints locked, caught up to them and
// swapped in one transaction; or, in a dry run, compared with the live set and dropped.

export interface RebuildOptions {
  sql: TransactionalSql;
  schema: string;
  source: ProjectionFeed;
  dryRun?: boolean;
  onProgress?: (progress: { events: number; total?: number }) => void;
  /**
   * Nothing else writes the stores or the live tables while it runs (embedded mode, the
   * data folder locked by the caller): the catch-up runs before the swap's transaction
   * instead of under its lock. On PGlite, one connection, a catch-up reading the stores
   * under that lock would wait for itself.
   */
  exclusive?: boolean;
}

export interface RebuildResult {
  /** Events the projection was given. */
  events: number;
  durationMs: number;
  /** Where the time went: reading the feed into the shadow, its last writes, its indexes, and the catch-up, comparison and swap. */
  phases: { readMs: number; flushMs: number; indexMs: number; swapMs: number };
  diff: TableDiff;
  swapped: boolean;
}

/** Messages per apply: fewer, larger statements; a projection keeps each under 65535 parameters. */
const APPLY_MAX = 10_000;
/** Messages a rebuild's fill gathers from the feed's batches before writing them in one transaction. */
const GATHER_MIN = 5_000;

const applyAll = async (projection: Projection, query: Query, names: ProjectionNames, messages: ProjectionMessage[], options: ApplyOptions = {}) => {
  let events = 0;
  for (let next = 0; next < messages.length; next += APPLY_MAX)
    events += await applyMessages(projection, query, names, messages.slice(next, next + APPLY_MAX), options);
  return events;
};

const checkpointTable = (names: ProjectionNames) => `${quoteIdentifier(names.schema)}.${quoteIdentifier(names.checkpoints)}`;

/** Renames a set's tables (and their indexes, which are named after them) to another set's names. */
const renameSet = async (query: Query, projection: Projection, from: ProjectionNames, to: ProjectionNames) => {
  const pairs = [...projection.tables.map(({ name }) => [from.physical(name), to.physical(name)] as const), [from.checkpoints, to.checkpoints] as const];
  const schema = quoteIdentifier(from.schema);
  for (const [old, renamed] of pairs) {
    await query(`alter table ${schema}.${quoteIdentifier(old)} rename to ${quoteIdentifier(renamed)}`);
    const { rows } = await query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = $1 and tablename = $2`, [from.schema, renamed]);
    for (const { indexname } of rows) {
      if (!indexname.startsWith(old)) continue;
      await query(`alter index ${schema}.${quoteIdentifier(indexname)} rename to ${quoteIdentifier(renamed + indexname.slice(old.length))}`);
    }
  }
};

export const rebuildProjection = async (projection: Projection, options: RebuildOptions): Promise<RebuildResult> => {
  const started = performance.now();
  const { sql, schema } = options;
  const live = projectionNames(projection, schema, 'live');
  const shadow = projectionNames(projection, schema, 'shadow');
  await migrateProjection(sql, projection, schema);
  const deferredIndexes = await sql.transaction((query) => createTableSet(query, projection, shadow, { deferIndexes: true }));

  const session = await options.source.open(projection);
  let events = 0;
  const progress = (applied: number) => {
    events += applied;
    options.onProgress?.({ events, ...(session.total === undefined ? {} : { total: session.total }) });
  };
  const run = fillRun(sql, shadow);
  const { fill, writeShadow } = run;
  // The feed's batches (a partition's fetch each) gathered into fewer, larger transactions.
  let gathered: ProjectionMessage[] = [];
  const applyGathered = async () => {
    const messages = gathered;
    gathered = [];
    if (messages.length === 0) return;
    // Outside any transaction: on PGlite's one connection, the writes aside wait for them.
    await run.settle(MAX_WRITES_ASIDE);
    progress(await writeShadow((query) => applyAll(projection, query, shadow, messages, { fill })));
  };
  try {
    await session.readToEnd(async (messages) => {
      gathered = gathered.length === 0 ? messages : gathered.concat(messages);
      if (gathered.length >= GATHER_MIN) await applyGathered();
    });
    await applyGathered();
    const read = performance.now();
    // Before the catch-up, which writes through the guarded `apply`, the fill holds nothing back.
    await run.flush();
    const flushed = performance.now();
    // Indexed once filled, before the catch-up and the swap, which then find them made:
    // side by side where the pool has connections for them (PGlite runs them in turn).
    const indexed = await Promise.allSettled(deferredIndexes.map((statement) => sql.query(statement)));
    for (const result of indexed) if (result.status === 'rejected') throw result.reason;
    const built = performance.now();
    const liveTargets = async (query: Query) => {
      const { rows } = await query<FeedTarget>(`select topic, partition, "offset" from ${checkpointTable(live)}`);
      return rows.map((row) => ({ ...row, partition: Number(row.partition) }));
    };
    if (options.exclusive) {
      const targets = await sql.transaction(liveTargets);
      await session.catchUp(targets, async (messages) => progress(await writeShadow((query) => applyAll(projection, query, shadow, messages))));
    }
    const diff = await sql.transaction(async (query) => {
      // The live runner's next batch waits here, before writing anything (apply.ts).
      await query(`lock table ${checkpointTable(live)} in exclusive mode`);
      const targets = await liveTargets(query);
      if (!options.exclusive) await session.catchUp(targets, async (messages) => progress(await applyAll(projection, query, shadow, messages)));
      if (options.source.kind === 'store') {
        // Store positions are not the live runner's: the shadow now reflects every event the
        // live tables do (the stores were read to their end), so it resumes where they are.
        await query(`delete from ${checkpointTable(shadow)}`);
        await query(`insert into ${checkpointTable(shadow)} select * from ${checkpointTable(live)}`);
      }
      const compared = await diffTableSets(query, projection, live, shadow);
      if (options.dryRun) {
        await dropTableSet(query, projection, shadow);
        return compared;
      }
      const retired = projectionNames(projection, schema, 'retired');
      await renameSet(query, projection, live, retired);
      await renameSet(query, projection, shadow, live);
      await dropTableSet(query, projection, retired);
      await query(`update ${live.registry} set version = $2, state = 'live', rebuilt_at = now(), updated_at = now() where name = $1`, [
        projection.name,
        projection.version,
      ]);
      return compared;
    });
    const ended = performance.now();
    const phases = { readMs: read - started, flushMs: flushed - read, indexMs: built - flushed, swapMs: ended - built };
    return { events, durationMs: ended - started, phases, diff, swapped: !options.dryRun };
  } catch (error) {
    await run.settle(0).catch(() => undefined);
    await sql.transaction((query) => dropTableSet(query, projection, shadow)).catch(() => undefined);
    throw error;
  } finally {
    await session.close();
  }
};

export interface ReplayOptions {
  sql: TransactionalSql;
  schema: string;
  feed: ProjectionFeed;
  onProgress?: (progress: { events: number; total?: number }) => void;
}

/**
 * Applies a feed (Kafka from an offset or a time) to the live tables again, beside the
 * live runner: the revision guards keep every row from moving back, and a checkpoint
 * moves only forward.
 */
export const replayInPlace = async (projection: Projection, options: ReplayOptions): Promise<{ events: number; durationMs: number }> => {
  const started = performance.now();
  const live = projectionNames(projection, options.schema, 'live');
  await migrateProjection(options.sql, projection, options.schema);
  const session = await options.feed.open(projection);
  let events = 0;
  try {
    await session.readToEnd(async (messages) => {
      events += await options.sql.transaction((query) => applyAll(projection, query, live, messages, { skipApplied: false }));
      options.onProgress?.({ events, ...(session.total === undefined ? {} : { total: session.total }) });
    });
  } finally {
    await session.close();
  }
  return { events, durationMs: performance.now() - started };
};
