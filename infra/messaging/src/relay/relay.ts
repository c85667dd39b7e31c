import type { Kafka, Message, Producer } from 'kafkajs';
import type { EventStore, PositionedEvent, Subscription } from '@ordo/eventstore';
import type { CheckpointStore } from '../checkpoints';
import { headersOf } from '../headers';
import { eventMessageValue, type Routing } from './routing';

export interface RelayOptions {
  /** Names the relay's checkpoint: one relay per context store. */
  name: string;
  store: EventStore;
  kafka: Kafka;
  routing: Routing;
  checkpoints: CheckpointStore;
  /** Most events in one send. Default 500. */
  maxBatch?: number;
  /** How long a partial batch waits for more before it is sent. Default 5 ms. */
  lingerMs?: number;
}

export interface RelayStatus {
  checkpoint: string | undefined;
  published: number;
  /** Events read from the store and not yet acknowledged by Kafka. */
  waiting: number;
  /** Age of the oldest waiting event: how far Kafka is behind the store, in time. */
  lagMs: number;
  /** Events are waiting and nothing was acknowledged for `stallAfterMs`. */
  stalled: boolean;
}

export interface Relay {
  status(stallAfterMs?: number): RelayStatus;
  /** Rejects when the relay failed (Kafka, the store, or its checkpoint). */
  done: Promise<void>;
  /** Sends what it has read, saves the checkpoint, and disconnects. */
  stop(): Promise<void>;
}

/**
 * Follows a context's event store and publishes every event to Kafka (DESIGN.md: the
 * stream is the outbox). The checkpoint is saved only after Kafka acknowledged, so a
 * crash repeats some events and loses none; the idempotent producer with one request
 * in flight keeps the order per key across retries.
 */
export const startRelay = async (options: RelayOptions): Promise<Relay> => {
  const maxBatch = options.maxBatch ?? 500;
  const lingerMs = options.lingerMs ?? 5;
  const producer: Producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  await options.checkpoints.migrate();

  let checkpoint = await options.checkpoints.load(options.name);
  const buffer: PositionedEvent[] = [];
  const inFlight: PositionedEvent[] = [];
  let failure: unknown;
  let lingerTimer: NodeJS.Timeout | undefined;
  let published = 0;
  let lastProgressAt = Date.now();

  const send = async (events: PositionedEvent[]) => {
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      for (const route of options.routing(event)) {
        const value = route.value === undefined ? eventMessageValue(event) : JSON.stringify(route.value);
        const messages = byTopic.get(route.topic) ?? byTopic.set(route.topic, []).get(route.topic);
        messages?.push({ key: route.key, value, headers: headersOf(event) });
      }
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    const last = events[events.length - 1];
    if (last) {
      await options.checkpoints.save(options.name, last.checkpoint);
      checkpoint = last.checkpoint;
    }
    published += events.length;
    lastProgressAt = Date.now();
  };

  /**
   * Sends the buffer, batch after batch, until it is empty: one send at a time, so the
   * order holds, and what arrives while a send is in flight waits for it and goes in the
   * next batch. Under load the batches grow, not a queue of small sends (one per
   * linger), each paying Kafka's acknowledgement and a checkpoint write.
   */
  let draining: Promise<void> | undefined;
  const drain = async () => {
    try {
      do {
        const events = buffer.splice(0, maxBatch);
        inFlight.push(...events);
        await send(events);
        inFlight.splice(0, events.length);
      } while (buffer.length > 0);
    } catch (error) {
      // Stop reading at once: nothing read after a failed send may be acknowledged.
      failure ??= error;
      void subscription.stop();
      throw error;
    } finally {
      draining = undefined;
    }
  };

  /** Starts sending what is buffered unless a send is already in flight (which takes it next); resolves when the buffer is sent. */
  const flush = (): Promise<void> => {
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    if (!draining && buffer.length > 0) draining = drain();
    return draining ?? Promise.resolve();
  };

  const subscription: Subscription = options.store.subscribeToAll({
    from: checkpoint,
    batchSize: maxBatch,
    handler: async (event) => {
      if (failure) throw failure;
      buffer.push(event);
      // A full batch holds reading back until it is sent: memory stays at two batches.
      if (buffer.length >= maxBatch) await flush();
      else if (!draining) lingerTimer ??= setTimeout(() => void flush().catch(() => undefined), lingerMs);
    },
  });

  const done = subscription.done.then(
    async () => {
      try {
        if (failure) throw failure;
        await flush();
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    },
    async (error: unknown) => {
      clearTimeout(lingerTimer);
      await producer.disconnect().catch(() => undefined);
      throw failure ?? error;
    },
  );
  return {
    status: (stallAfterMs = 30_000) => {
      const waitingEvents = inFlight.length + buffer.length;
      const oldest = inFlight[0] ?? buffer[0];
      return {
        checkpoint,
        published,
        waiting: waitingEvents,
        lagMs: oldest ? Date.now() - oldest.recordedAt.getTime() : 0,
        stalled: waitingEvents > 0 && Date.now() - lastProgressAt > stallAfterMs,
      };
    },
    done,
    stop: async () => {
      await subscription.stop();
      await done;
    },
  };
};
