import type { BusConsumerOptions, Inbox } from '@ordo/messaging';
import type { Logger, Query, ServiceMetrics, TransactionalSql } from '@ordo/runtime';
import { applyMessages } from './apply';
import { chunkGroups } from './chunk-group';
import type { Projection } from './definition';
import { eventsAppliedCounter } from './metrics';
import { projectionGroupId, projectionNames } from './names';
import { migrateProjection } from './tables';

/** What a read-model service gives its projections: its database and schema, where to log, and its metrics. */
export interface ProjectionService {
  sql: TransactionalSql;
  schema: string;
  logger?: Logger;
  /** Counts the events applied (`ordo_projection_events_applied_total`); the lag gauges are registerProjectionLag's. */
  metrics?: ServiceMetrics;
}

/**
 * The bus's inbox for a projection: a transaction for the message or chunk, no ids
 * recorded. Its checkpoint (in the projection's own tables) does what the shared inbox
 * would: ids in `ordo_inbox` would outlive a table swap and hide events from the new
 * tables. Its migrate makes the projection's tables those of its version. Chunks go
 * through `eachChunk` (default: a transaction each).
 */
export const projectionInbox = (
  database: TransactionalSql,
  migrate: () => Promise<void>,
  eachChunk: (work: (query: Query, fresh: (messageId: string) => boolean) => Promise<void>) => Promise<void> = (work) =>
    database.transaction((query) => work(query, () => true)),
): Inbox => ({
  database,
  migrate,
  once: (_consumer, _messageId, work) =>
    database.transaction(async (query) => {
      await work(query);
      return true;
    }),
  onceEach: (_consumer, _messageIds, work) => eachChunk(work),
  prune: async () => 0,
});

/**
 * How long a projection lets events gather before it applies them. A chunk costs a
 * transaction of about six statements (its checkpoints read, its rows loaded and
 * written, its checkpoints saved), whatever its size: at a few dozen orders a second a
 * fetch brought one or two events a partition, and the statements were most of the
 * view's CPU (and the PostgreSQL server's, or in embedded mode PGlite's one connection).
 * A quarter of a second more lag buys chunks many times larger; a read-your-writes
 * query waits that much longer at most. (docs/decisions.md has the figures.)
 */
const PROJECTION_GATHER_MS = 250;

/** More than the partitions a projection reads (three topics of three, orders-view's): kafkajs runs at most the batches it has. */
const CONCURRENT_PARTITIONS = 32;

/**
 * The consumer of a projection, for the bus (`@ordo/host`'s consumer(...)): group
 * `<name>-v<version>`, a chunk applied in one transaction with its checkpoint, a chunk
 * that fails applied a message at a time, and a message that still fails parked with
 * its key (the stream) in the service's sequenced dead letters.
 */
export const projectionConsumer = (projection: Projection, service: ProjectionService): BusConsumerOptions<unknown> => {
  const names = projectionNames(projection, service.schema);
  const applied = service.metrics && eventsAppliedCounter(service.metrics.registry).labels({ projection: projection.name });
  const count = (events: number) => applied?.inc(events);
  const groups = chunkGroups(service.sql, async (query, messages) => count(await applyMessages(projection, query, names, messages)));
  return {
    groupId: projectionGroupId(projection),
    topics: projection.topics,
    gatherMs: projection.gatherMs ?? PROJECTION_GATHER_MS,
    // Every partition of a fetch at once, so that their chunks make one group (chunk-group.ts).
    concurrentPartitions: CONCURRENT_PARTITIONS,
    ...(service.logger ? { logger: service.logger } : {}),
    inbox: projectionInbox(
      service.sql,
      async () => {
        if (await migrateProjection(service.sql, projection, service.schema))
          service.logger?.info(
            { projection: projection.name, version: projection.version },
            'projection tables created for this version; rebuilding from the beginning',
          );
      },
      groups.join,
    ),
    // One message: a chunk that failed, a redrive (a parked message lies below the checkpoint
    // its partition's later messages moved), or the embedded bus. Applied whatever the
    // checkpoint says: the revision guards make a second application change nothing.
    handle: async (message, { query }) => {
      if (!query) throw new Error(`projection ${projection.name} runs only with its inbox (a transaction)`);
      count(await applyMessages(projection, query, names, [message], { skipApplied: false, checkpointIdle: false }));
    },
    handleChunk: async (messages, { query }) => {
      if (!groups.add(query, messages)) count(await applyMessages(projection, query, names, messages));
    },
  };
};
