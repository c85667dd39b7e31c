import { quoteIdentifier, type Query } from '@ordo/runtime';
import type { Projection, ProjectedEvent } from './definition';
import { compareOffsets, mayConcern, projectedEventOf, type ProjectionMessage } from './events';
import { projectionWriter } from './knex-sql';
import type { ProjectionNames } from './names';

export interface ApplyOptions {
  /**
   * Pass over messages at or below the checkpoint of their partition (default). A replay in
   * place applies them again instead: the revision guards make that harmless.
   */
  skipApplied?: boolean;
  /**
   * Move the checkpoint even when no message concerned the projection (default). The live
   * runner's single messages do not: an event of a type it does not handle, delivered
   * alone (the embedded bus delivers every event of its sources), then writes nothing.
   */
  checkpointIdle?: boolean;
}

interface Reached {
  topic: string;
  partition: number;
  offset: string;
  recordedAt: Date | undefined;
}

// The order of a checkpoint, as compareOffsets orders it in JS: `n` as (n, 0), `a:b` as (a, b).
const order = (column: string) => `(split_part(${column}, ':', 1)::numeric, coalesce(nullif(split_part(${column}, ':', 2), ''), '0')::numeric)`;

const handledTypes = new WeakMap<Projection, ReadonlySet<string> | undefined>();
const handlesOf = (projection: Projection) => {
  if (!handledTypes.has(projection)) handledTypes.set(projection, projection.handles && new Set(projection.handles));
  return handledTypes.get(projection);
};

/**
 * Applies messages (in order per partition) to a table set, and moves its checkpoints to
 * the last of them, in the caller's transaction. The checkpoint rows are read first, `for
 * share`: a rebuild swapping the tables holds the checkpoint table locked, so a batch
 * waits there before it has written anything, and never holds a row the swap waits on.
 * Returns the events given to the projection.
 */
export const applyMessages = async (
  projection: Projection,
  query: Query,
  names: ProjectionNames,
  messages: readonly ProjectionMessage[],
  options: ApplyOptions = {},
): Promise<number> => {
  const handles = handlesOf(projection);
  if (messages.length === 0 || (options.checkpointIdle === false && !messages.some((message) => mayConcern(message, handles)))) return 0;
  const checkpoints = `${quoteIdentifier(names.schema)}.${quoteIdentifier(names.checkpoints)}`;
  const partitions = [...new Map(messages.map((message) => [`${message.topic}\u0000${message.partition}`, message])).values()];
  const { rows } = await query<{ topic: string; partition: number; offset: string }>(
    `select topic, partition, "offset" from ${checkpoints}
     where (topic, partition) in (select * from unnest($1::text[], $2::int[])) for share`,
    [partitions.map((message) => message.topic), partitions.map((message) => message.partition)],
  );
  const stored = new Map(rows.map((row) => [`${row.topic}\u0000${row.partition}`, row.offset]));

  const events: ProjectedEvent[] = [];
  const reached = new Map<string, Reached>();
  for (const message of messages) {
    const at = `${message.topic}\u0000${message.partition}`;
    const applied = stored.get(at);
    if (options.skipApplied !== false && applied !== undefined && compareOffsets(message.offset, applied) <= 0) continue;
    const previous = reached.get(at);
    let recordedAt = previous?.recordedAt;
    if (mayConcern(message, handles)) {
      const event =
        message.value instanceof Object && 'revision' in message.value && typeof message.value.revision === 'bigint'
          ? (message.value as ProjectedEvent)
          : projectedEventOf(message.value);
      if (!handles || handles.has(event.type)) {
        events.push(event);
        recordedAt = event.recordedAt;
      }
    }
    if (!previous || compareOffsets(message.offset, previous.offset) > 0)
      reached.set(at, { topic: message.topic, partition: message.partition, offset: message.offset, recordedAt });
  }
  if (events.length > 0) await projection.apply(events, projectionWriter(query, names));
  else if (options.checkpointIdle === false) return 0;
  if (reached.size > 0) await saveCheckpoints(query, checkpoints, [...reached.values()]);
  return events.length;
};

/** Moves checkpoints forward, never back: a replay in place and the live runner may race. */
const saveCheckpoints = async (query: Query, checkpoints: string, reached: Reached[]) => {
  await query(
    `insert into ${checkpoints} as saved (topic, partition, "offset", last_recorded_at)
     select * from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[])
     on conflict (topic, partition) do update
       set "offset" = excluded."offset", last_recorded_at = coalesce(excluded.last_recorded_at, saved.last_recorded_at), updated_at = now()
       where ${order('saved."offset"')} < ${order('excluded."offset"')}`,
    [
      reached.map((at) => at.topic),
      reached.map((at) => at.partition),
      reached.map((at) => at.offset),
      reached.map((at) => at.recordedAt?.toISOString() ?? null),
    ],
  );
};
