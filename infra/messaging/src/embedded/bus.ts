import type { AllFilter, EventStore, PositionedEvent, Subscription } from '@ordo/eventstore';
import type { CheckpointStore } from '../checkpoints';
import { createProcessor, type ProcessingOptions } from '../consumer/processor';
import { pruneInboxPeriodically } from '../consumer/pruning';
import { DeliveryAbandoned, type DeliveryControl } from '../consumer/retry';
import type { DeadLetter, DeadLetterStore, RedriveResult } from '../dead-letters/store';
import { headersOf, messageIdOf, readHeaders } from '../headers';
import { eventMessageValue, type Route, type Routing } from '../relay/routing';
import { checkpointSaver, type CheckpointSaver } from './checkpoint-saver';

/** A store whose events the embedded bus delivers, routed as its relay would route them. */
export interface EmbeddedSource {
  /** Names the consumer's checkpoint on this source, e.g. the context. */
  name: string;
  store: EventStore;
  routing: Routing;
  /** Only these events can reach the consumer's topics (a command topic: CommandIssued); the rest are never read. */
  filter?: AllFilter;
}

export interface EmbeddedConsumerOptions<T> extends ProcessingOptions<T> {
  sources: EmbeddedSource[];
  topics: string[];
  checkpoints: CheckpointStore;
  deadLetters?: { store: DeadLetterStore };
}

export interface EmbeddedConsumer {
  /** Rejects when a source's subscription failed. */
  done: Promise<void>;
  stop(): Promise<void>;
  redrive(sequence: string): Promise<RedriveResult>;
}

/** The message a route of an event becomes: what the relay would have published, as a handler reads it. */
/** One route of an event as the Kafka relay would publish it: a command copy has an id and kind of its own. */
const toLetter = (event: PositionedEvent, { topic, key, value, kind }: Route): DeadLetter => ({
  key,
  topic,
  partition: 0,
  offset: event.checkpoint,
  messageId: messageIdOf(event, kind),
  headers: readHeaders(headersOf(event, kind)),
  value: value === undefined ? eventMessageValue(event) : JSON.stringify(value),
});

/**
 * Embedded mode's bus: the same consumer contract as Kafka's, served from each context
 * store's own subscription, with its checkpoint in PGlite, no broker. Delivery is at
 * least once (a checkpoint is saved after its handler, a few at a time: checkpoint-saver.ts), in store order, so in order
 * per key; parking, retries and the inbox are the very code the Kafka runner uses.
 */
export const runEmbeddedConsumer = async <T>(options: EmbeddedConsumerOptions<T>): Promise<EmbeddedConsumer> => {
  const processor = createProcessor(options, options.deadLetters?.store);
  await processor.migrate();
  await options.checkpoints.migrate();
  // One process owns an embedded consumer: the parked sequences are loaded once and kept.
  await processor.reloadParked();
  const wanted = new Set(options.topics);
  const pruning = options.inbox ? pruneInboxPeriodically(options.inbox, options.groupId, options.inboxRetention, options.logger) : undefined;
  // No group to heartbeat to; stop() cuts a retry's wait short, and the event, unresolved,
  // is delivered again at the next start (its checkpoint is not saved).
  const stopped = new AbortController();
  const control: DeliveryControl = { heartbeat: async () => undefined, isActive: () => !stopped.signal.aborted, signal: stopped.signal };

  const subscriptions: Subscription[] = [];
  const savers: CheckpointSaver[] = [];
  let failSave: (error: unknown) => void = () => undefined;
  const saveFailed = new Promise<never>((_, reject) => (failSave = reject));
  saveFailed.catch(() => undefined); // observed through `done`
  for (const source of options.sources) {
    const checkpointName = `${options.groupId}@${source.name}`;
    const saver = checkpointSaver((checkpoint) => options.checkpoints.save(checkpointName, checkpoint), failSave);
    savers.push(saver);
    subscriptions.push(
      source.store.subscribeToAll({
        from: await options.checkpoints.load(checkpointName),
        ...(source.filter ? { filter: source.filter } : {}),
        handler: async (event) => {
          if (stopped.signal.aborted) return;
          const routes = source.routing(event).filter((route) => wanted.has(route.topic));
          try {
            for (const route of routes) await processor.handleDelivery(processor.deliver(toLetter(event, route)), control);
          } catch (error) {
            if (error instanceof DeliveryAbandoned) return; // stopping: neither this event's checkpoint nor any later one is saved
            throw error;
          }
          // Done with, whether it concerned our topics or not.
          saver.advance(event.checkpoint);
        },
      }),
    );
  }

  return {
    done: Promise.race([Promise.all(subscriptions.map((subscription) => subscription.done)).then(() => undefined), saveFailed]),
    stop: async () => {
      stopped.abort();
      await pruning?.stop();
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      for (const saver of savers) await saver.flush();
    },
    redrive: processor.redrive,
  };
};
