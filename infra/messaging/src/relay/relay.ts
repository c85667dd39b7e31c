import type { Kafka } from 'kafkajs';
import type { EventStore } from '@ordo/eventstore';
import type { ServiceMetrics } from '@ordo/runtime';
import { sqlCheckpointStore, type CheckpointStore } from '../checkpoints';
import { kafkajsProducer, type MessageProducer } from '../clients/producer';
import { acquireRelayLock, type HeldLock, type RelayLockOptions } from './lock';
import { registerRelayMetrics } from './metrics';
import { startPublisher, type Publisher } from './publisher';
import type { Routing } from './routing';

interface CommonRelayOptions {
  /** Names the relay's checkpoint and its lock: one relay per context store. */
  name: string;
  store: EventStore;
  kafka: Kafka;
  /** The producer it publishes with. Default kafkajs's, from `kafka`. */
  producer?: () => Promise<MessageProducer>;
  routing: Routing;
  /** Where the relay's gauges and counter are registered (the service's /metrics). */
  metrics?: ServiceMetrics;
  /** Most events in one send. Default 500. */
  maxBatch?: number;
  /**
   * Most bytes of messages in one send, and the largest message the relay publishes.
   * Default 1,000,000: under the broker's default limit of a record batch (1 MiB and a
   * little), with headroom. Keep it at or under the topics' `max.message.bytes`.
   */
  maxBatchBytes?: number;
  /** How long a partial batch waits for more before it is sent. Default 0: until the rest of the store read it came in is buffered, no longer. */
  lingerMs?: number;
}

export type RelayOptions = CommonRelayOptions &
  (
    | {
        /**
         * Replicas of a service each start a relay: the one holding this lock publishes, the
         * others wait as standbys. The checkpoint is `ordo_checkpoints` in `lock.schema`,
         * read and saved on the lock's own connection, so no save lands once the lock is gone.
         */
        lock: RelayLockOptions;
        checkpoints?: never;
      }
    | {
        /** Without a lock: the caller makes sure one relay of this name runs at a time. */
        checkpoints: CheckpointStore;
        lock?: never;
      }
  );

export interface RelayStatus {
  /** Publishing (it holds the lock, or has none), or a standby waiting for the lock. */
  role: 'publishing' | 'standby';
  /** After the last event Kafka acknowledged; saved in the background, at most every 200 ms (publisher.ts). */
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
  /** Rejects when the relay failed (Kafka, the store, its checkpoint, or its lock's connection). */
  done: Promise<void>;
  /** Sends what it has read, saves the checkpoint, releases the lock, and disconnects. */
  stop(): Promise<void>;
}

const positiveInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`relay option ${name} must be a positive integer, got ${value}`);
  return value;
};

/** What a relay sends at most in one batch, and how long it waits for more events before sending, unless told otherwise. */
export const RELAY_DEFAULTS = { maxBatch: 500, maxBatchBytes: 1_000_000, lingerMs: 0 } as const;

/**
 * Publishes a context's store to Kafka. With a lock it first waits, as a standby, for
 * the lock in the background (the caller goes on starting), then reads its checkpoint
 * and publishes; if the lock's connection is lost it stops publishing at once and fails.
 */
export const startRelay = async (options: RelayOptions): Promise<Relay> => {
  const maxBatch = positiveInteger('maxBatch', options.maxBatch ?? RELAY_DEFAULTS.maxBatch);
  const maxBatchBytes = positiveInteger('maxBatchBytes', options.maxBatchBytes ?? RELAY_DEFAULTS.maxBatchBytes);
  const lingerMs = options.lingerMs ?? RELAY_DEFAULTS.lingerMs;
  const producer = await (options.producer ?? (() => kafkajsProducer(options.kafka)))();
  await options.checkpoints?.migrate();

  const stopping = new AbortController();
  let publisher: Publisher | undefined;
  let checkpoint: string | undefined;
  let published = 0;
  let lastProgressAt = Date.now();
  const waiting = () => publisher?.waiting() ?? { count: 0, oldest: undefined };
  const lagMs = () => {
    const { oldest } = waiting();
    return oldest ? Date.now() - oldest.recordedAt.getTime() : 0;
  };
  const role = (): RelayStatus['role'] => (options.lock && !publisher ? 'standby' : 'publishing');
  const metrics =
    options.metrics &&
    registerRelayMetrics(options.metrics, options.name, () => ({ publishing: role() === 'publishing', waiting: waiting().count, lagMs: lagMs() }));

  /** Reads the checkpoint and publishes from it until stopped or failed. */
  const publish = async (checkpoints: CheckpointStore, lock?: HeldLock) => {
    checkpoint = await checkpoints.load(options.name);
    if (stopping.signal.aborted) return;
    lastProgressAt = Date.now();
    publisher = startPublisher({
      ...options,
      checkpoints,
      producer,
      from: checkpoint,
      maxBatch,
      maxBatchBytes,
      lingerMs,
      onPublished: (events, saved) => {
        checkpoint = saved;
        published += events;
        lastProgressAt = Date.now();
        metrics?.published(events);
      },
    });
    const running = publisher;
    lock?.lost.catch((error: unknown) => running.halt(error));
    await running.done;
  };

  const run = async () => {
    if (options.checkpoints) return publish(options.checkpoints);
    const lock = await acquireRelayLock(options.lock, options.name, stopping.signal);
    if (!lock) return undefined; // stopped while a standby
    let lost: unknown;
    lock.lost.catch((error: unknown) => {
      lost = error;
    });
    try {
      const checkpoints = sqlCheckpointStore(lock.session, { schema: options.lock.schema });
      await checkpoints.migrate();
      await publish(checkpoints, lock);
    } catch (error) {
      // A lost lock fails what was running on its connection too: name the cause when it is known.
      throw lost ?? error;
    } finally {
      await lock.release().catch(() => undefined);
    }
  };

  const done = run().finally(async () => {
    metrics?.unregister();
    await producer.disconnect().catch(() => undefined);
  });
  return {
    status: (stallAfterMs = 30_000) => {
      const { count } = waiting();
      return {
        role: role(),
        checkpoint,
        published,
        waiting: count,
        lagMs: lagMs(),
        stalled: count > 0 && Date.now() - lastProgressAt > stallAfterMs,
      };
    },
    done,
    stop: async () => {
      stopping.abort();
      await publisher?.stop();
      await done;
    },
  };
};
