import type { EventStore, PositionedEvent } from '@ordo/eventstore';
import { HEADER } from '@ordo/messaging';
import type { ProjectedEvent } from '../definition';
import type { ProjectionMessage } from '../events';
import type { FeedSession, ProjectionFeed } from './feed';

const BATCH = 1000;

export interface FeedStore {
  /** The context: its events are those of `ordo.<name>.events`. */
  name: string;
  store: EventStore;
  /** The topic its events are published to, when not `ordo.<name>.events`. */
  topic?: string;
}

const topicOf = (source: FeedStore) => source.topic ?? `ordo.${source.name}.events`;

const messageOf = (topic: string, event: PositionedEvent): ProjectionMessage => {
  const projected: ProjectedEvent = {
    id: event.id,
    stream: event.stream,
    revision: event.revision,
    type: event.type,
    data: event.data,
    recordedAt: event.recordedAt,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId,
    ...(event.metadata.traceparent !== undefined && { traceparent: event.metadata.traceparent }),
  };
  // Where the embedded bus would deliver it: its context's event topic, partition 0, at its store checkpoint.
  return { topic, partition: 0, offset: event.checkpoint, headers: { [HEADER.eventType]: event.type }, value: projected };
};

/**
 * The context stores as a feed: `$all` of each store whose event topic the projection
 * reads (`ordo.<name>.events`), only the types it handles when it says which. Its
 * positions are store checkpoints: a swap fed from it takes the live checkpoints over.
 */
export const storeFeed = (stores: FeedStore[]): ProjectionFeed => ({
  kind: 'store',
  open: async (projection) => {
    const read = stores.filter((source) => projection.topics.includes(topicOf(source)));
    const positions = new Map<string, string>();
    const filter = projection.handles ? { filter: { eventTypes: projection.handles } } : {};

    const readOn: FeedSession['readToEnd'] = async (onBatch) => {
      for (const source of read) {
        const { name, store } = source;
        let batch: ProjectionMessage[] = [];
        const from = positions.get(name);
        for await (const event of store.readAll({ ...(from === undefined ? {} : { from }), ...filter, batchSize: BATCH })) {
          batch.push(messageOf(topicOf(source), event));
          positions.set(name, event.checkpoint);
          if (batch.length >= BATCH) {
            await onBatch(batch);
            batch = [];
          }
        }
        if (batch.length > 0) await onBatch(batch);
      }
    };
    return {
      readToEnd: readOn,
      catchUp: (_targets, onBatch) => readOn(onBatch),
      close: async () => undefined,
    };
  },
});
