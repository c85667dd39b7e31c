import type { AllFilter, EventStore, PositionedEvent, Subscription } from '@ordo/eventstore';
import type { CheckpointStore } from '../checkpoints';
import { createBatchHandler, type BatchControl } from '../consumer/chunks';
import { createProcessor, type ProcessingOptions } from '../consumer/processor';
import { pruneInboxPeriodically } from '../consumer/pruning';
import type { DeliveryControl } from '../consumer/retry';
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

/** Resolves once the events handed over in this turn (those of one read of a store) are queued. */
const afterThisRead = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Events a source's subscription may read ahead of those being handled; beyond it the reading waits. */
const MAX_QUEUED = 500;

/**
 * Embedded mode's bus: the same consumer contract as Kafka's, served from each context
 * store's own subscription, with its checkpoint in PGlite, no broker. Delivery is at
 * least once (a checkpoint is saved after its handler, a few at a time: checkpoint-saver.ts), in store order, so in order
 * per key; chunks, parking, retries and the inbox are the very code the Kafka runner uses
 * (consumer/chunks.ts): the events read while the previous ones were being handled are
 * handed over as a run, with an inbox in chunks of one transaction each.
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
  const runs: (() => Promise<void>)[] = [];
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // observed through `done`
  for (const source of options.sources) {
    const checkpointName = `${options.groupId}@${source.name}`;
    const saver = checkpointSaver((checkpoint) => options.checkpoints.save(checkpointName, checkpoint), fail);
    savers.push(saver);
    const handleLetters = createBatchHandler(options, processor);

    /** Hands a run of events over; each event's checkpoint advances once its last route is done. */
    const deliverRun = async (events: PositionedEvent[]) => {
      const letters: DeadLetter[] = [];
      const lastRouteOf = new Map<DeadLetter, string>();
      for (const event of events) {
        for (const route of source.routing(event)) if (wanted.has(route.topic)) letters.push(toLetter(event, route));
        const last = letters[letters.length - 1];
        if (last?.offset === event.checkpoint) lastRouteOf.set(last, event.checkpoint);
      }
      const run: BatchControl = {
        ...control,
        resolve: (letter) => {
          const checkpoint = lastRouteOf.get(letter);
          if (checkpoint !== undefined) saver.advance(checkpoint);
        },
      };
      await handleLetters(letters, run);
      // Stopping leaves the rest unresolved: neither its checkpoints nor any later one are saved.
      // Otherwise every event is done with, whether it concerned our topics or not.
      const last = events[events.length - 1];
      if (control.isActive() && last) saver.advance(last.checkpoint);
    };

    let queued: PositionedEvent[] = [];
    let handling: Promise<void> | undefined;
    let failure: { error: unknown } | undefined;
    const handleQueued = async () => {
      try {
        while (queued.length > 0 && control.isActive()) {
          const events = queued;
          queued = [];
          await deliverRun(events);
        }
      } catch (error) {
        failure = { error };
        fail(error);
      } finally {
        handling = undefined;
      }
    };
    runs.push(async () => handling);
    subscriptions.push(
      source.store.subscribeToAll({
        from: await options.checkpoints.load(checkpointName),
        // A gathering consumer's sources read at the clock's multiples of its gathering, so
        // its sources hand over their runs together (orders-view reads three stores), and a
        // projection applies them in one transaction (its chunk groups); the reads between
        // would only find events it then waited with. A run is what one read brought.
        ...(options.gatherMs && { gatherMs: options.gatherMs }),
        ...(source.filter ? { filter: source.filter } : {}),
        // Returns once the event is queued: the next ones are read while it is handled.
        handler: async (event) => {
          if (failure) throw failure.error;
          if (stopped.signal.aborted) return;
          queued.push(event);
          handling ??= options.gatherMs ? afterThisRead().then(handleQueued) : handleQueued();
          if (queued.length >= MAX_QUEUED) await handling;
        },
      }),
    );
  }

  return {
    done: Promise.race([Promise.all(subscriptions.map((subscription) => subscription.done)).then(() => undefined), failed]),
    stop: async () => {
      stopped.abort();
      await pruning?.stop();
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));
      // A chunk under way still commits; then what was handled is saved.
      await Promise.all(runs.map((run) => run()));
      for (const saver of savers) await saver.flush();
    },
    redrive: processor.redrive,
  };
};
