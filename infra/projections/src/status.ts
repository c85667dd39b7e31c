import type { Admin } from 'kafkajs';
import { quoteIdentifier, type TransactionalSql } from '@ordo/runtime';
import type { EventStore } from '@ordo/eventstore';
import type { Projection } from './definition';
import { projectionNames } from './names';
import { readRegistry, setState, type ProjectionState } from './tables';

// How far behind a projection is (docs/projections.md, "Lag"): the events its sources hold
// past its checkpoints, and since when the oldest of them waits.

export interface StoredCheckpoint {
  topic: string;
  partition: number;
  offset: string;
  lastRecordedAt: Date | null;
}

export interface ProjectionStatus {
  name: string;
  version: number;
  state: ProjectionState;
  /** Events in the sources past the checkpoints. */
  eventsBehind: number;
  /** 0 when caught up; else now minus when the last event applied was recorded (null: none applied yet). */
  secondsBehind: number | null;
}

/** Counts the events a projection's sources hold past its checkpoints. */
export type LagSource = (projection: Projection, checkpoints: StoredCheckpoint[]) => Promise<number>;

/** Kafka: the high watermark minus the next offset to apply, per partition of the projection's topics. */
export const kafkaLag =
  (admin: Admin): LagSource =>
  async (projection, checkpoints) => {
    let behind = 0;
    for (const topic of projection.topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        const at = checkpoints.find((checkpoint) => checkpoint.topic === topic && checkpoint.partition === partition);
        behind += Math.max(0, Number(high) - (at ? Number(at.offset) + 1 : Number(low)));
      }
    }
    return behind;
  };

/** Beyond this many events behind, the embedded count stops reading: it says "at least". */
export const STORE_LAG_CAP = 10_000;

/**
 * Embedded mode: the events of each source store past the checkpoint (a store checkpoint,
 * on topic `ordo.<name>.events`), counted by reading them, at most STORE_LAG_CAP each:
 * the stores have no cheaper count.
 */
export const storeLag =
  (stores: { name: string; store: EventStore }[]): LagSource =>
  async (projection, checkpoints) => {
    let behind = 0;
    for (const { name, store } of stores) {
      const topic = `ordo.${name}.events`;
      if (!projection.topics.includes(topic)) continue;
      const from = checkpoints.find((checkpoint) => checkpoint.topic === topic)?.offset;
      let counted = 0;
      const filter = projection.handles ? { filter: { eventTypes: projection.handles } } : {};
      for await (const event of store.readAll({ ...(from === undefined ? {} : { from }), ...filter })) {
        if (event && ++counted >= STORE_LAG_CAP) break;
      }
      behind += counted;
    }
    return behind;
  };

const readCheckpoints = async (sql: TransactionalSql, projection: Projection, schema: string): Promise<StoredCheckpoint[]> => {
  const names = projectionNames(projection, schema);
  const { rows } = await sql.query<{ topic: string; partition: number; offset: string; last_recorded_at: Date | string | null }>(
    `select topic, partition, "offset", last_recorded_at from ${quoteIdentifier(schema)}.${quoteIdentifier(names.checkpoints)}`,
  );
  return rows.map((row) => ({
    topic: row.topic,
    partition: Number(row.partition),
    offset: row.offset,
    lastRecordedAt: row.last_recorded_at === null ? null : new Date(row.last_recorded_at),
  }));
};

export interface StatusOptions {
  sql: TransactionalSql;
  schema: string;
  lag: LagSource;
  now?: () => Date;
}

/**
 * Each projection's version, state and lag. A projection `rebuilding` (created afresh for
 * its version) becomes `live` here, the first time it is found caught up.
 */
export const projectionStatus = async (projections: Projection[], options: StatusOptions): Promise<ProjectionStatus[]> => {
  const now = (options.now ?? (() => new Date()))();
  const statuses: ProjectionStatus[] = [];
  for (const projection of projections) {
    const registered = await readRegistry((text, params) => options.sql.query(text, params), projection, options.schema);
    if (!registered || registered.version !== projection.version) {
      statuses.push({ name: projection.name, version: projection.version, state: 'rebuilding', eventsBehind: 0, secondsBehind: null });
      continue;
    }
    const checkpoints = await readCheckpoints(options.sql, projection, options.schema);
    const eventsBehind = await options.lag(projection, checkpoints);
    const lastRecorded = Math.max(...checkpoints.map((checkpoint) => checkpoint.lastRecordedAt?.getTime() ?? Number.NEGATIVE_INFINITY));
    const secondsBehind = eventsBehind === 0 ? 0 : Number.isFinite(lastRecorded) ? Math.max(0, (now.getTime() - lastRecorded) / 1000) : null;
    let state = registered.state;
    if (state === 'rebuilding' && eventsBehind === 0) {
      await setState((text, params) => options.sql.query(text, params), projection, options.schema, 'live');
      state = 'live';
    }
    statuses.push({ name: projection.name, version: projection.version, state, eventsBehind, secondsBehind });
  }
  return statuses;
};
