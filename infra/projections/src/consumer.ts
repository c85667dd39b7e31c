import type { BusConsumerOptions, Inbox } from '@ordo/messaging';
import type { Logger, ServiceMetrics, TransactionalSql } from '@ordo/runtime';
import { applyMessages } from './apply';
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
 * tables. Its migrate makes the projection's tables those of its version.
 */
export const projectionInbox = (database: TransactionalSql, migrate: () => Promise<void>): Inbox => ({
  database,
  migrate,
  once: (_consumer, _messageId, work) =>
    database.transaction(async (query) => {
      await work(query);
      return true;
    }),
  onceEach: (_consumer, _messageIds, work) => database.transaction((query) => work(query, () => true)),
  prune: async () => 0,
});

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
  return {
    groupId: projectionGroupId(projection),
    topics: projection.topics,
    ...(service.logger ? { logger: service.logger } : {}),
    inbox: projectionInbox(service.sql, async () => {
      if (await migrateProjection(service.sql, projection, service.schema))
        service.logger?.info(
          { projection: projection.name, version: projection.version },
          'projection tables created for this version; rebuilding from the beginning',
        );
    }),
    // One message: a chunk that failed, a redrive (a parked message lies below the checkpoint
    // its partition's later messages moved), or the embedded bus. Applied whatever the
    // checkpoint says: the revision guards make a second application change nothing.
    handle: async (message, { query }) => {
      if (!query) throw new Error(`projection ${projection.name} runs only with its inbox (a transaction)`);
      count(await applyMessages(projection, query, names, [message], { skipApplied: false, checkpointIdle: false }));
    },
    handleChunk: async (messages, { query }) => {
      count(await applyMessages(projection, query, names, messages));
    },
  };
};
