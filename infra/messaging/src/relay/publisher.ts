import type { Message } from 'kafkajs';
import type { EventStore, PositionedEvent, Subscription } from '@ordo/eventstore';
import { backgroundCommits } from '../background-commits';
import type { CheckpointStore } from '../checkpoints';
import type { MessageProducer } from '../clients/producer';
import { prepareEvent, takeBatch, type PreparedEvent } from './messages';
import type { Routing } from './routing';

export interface PublisherOptions {
  name: string;
  store: EventStore;
  producer: MessageProducer;
  routing: Routing;
  checkpoints: CheckpointStore;
  from: string | undefined;
  maxBatch: number;
  maxBatchBytes: number;
  lingerMs: number;
  /** Events Kafka acknowledged, and the checkpoint after them (saved in the background: background-commits.ts). */
  onPublished: (events: number, checkpoint: string) => void;
}

export interface Publisher {
  /** Events read and not yet acknowledged, and the oldest of them. */
  waiting(): { count: number; oldest: PositionedEvent | undefined };
  done: Promise<void>;
  /** Publishes nothing more: what is in flight is not checkpointed. */
  halt(error: unknown): void;
  stop(): Promise<void>;
}

/**
 * Follows the store from a checkpoint and publishes every event (docs/architecture.md: the stream
 * is the outbox). The checkpoint is saved only after Kafka acknowledged, so a crash
 * repeats some events and loses none; the idempotent producer with one request in
 * flight keeps the order per key across retries. It is saved beside the sends, at most
 * every 200 ms with the latest acknowledged, not after each send: while events trickle
 * in, a send is an event or two, and its checkpoint was a statement and a round trip
 * the next send waited for. A crash repeats up to that much more.
 */
export const startPublisher = (options: PublisherOptions): Publisher => {
  const { maxBatch, maxBatchBytes, lingerMs } = options;
  const buffer: PreparedEvent[] = [];
  const inFlight: PreparedEvent[] = [];
  let bufferedBytes = 0;
  let failure: unknown;
  // Cancels the wait of a partial batch for more (lingerThenFlush), while one is under way.
  let cancelLinger: (() => void) | undefined;
  // A save that fails, or finds a checkpoint further on, stops the relay (halt, below).
  const saves = backgroundCommits((error) => halt(error));
  const saveCheckpoint = (checkpoint: string) => async () => {
    if (!(await options.checkpoints.save(options.name, checkpoint))) {
      throw new Error(`relay '${options.name}': a checkpoint after ${checkpoint} is saved already, so another relay publishes under this name; this one stops`);
    }
  };

  const send = async (batch: PreparedEvent[]) => {
    const byTopic = new Map<string, Message[]>();
    for (const { messages } of batch) {
      for (const { topic, message } of messages) (byTopic.get(topic) ?? byTopic.set(topic, []).get(topic))?.push(message);
    }
    await options.producer.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    // Halted during the send (the lock was lost): another relay may have saved a checkpoint by now.
    if (failure) throw failure;
    const last = batch[batch.length - 1];
    if (!last) return;
    saves.request(saveCheckpoint(last.event.checkpoint));
    options.onPublished(batch.length, last.event.checkpoint);
  };

  /**
   * Sends the buffer, batch after batch, until it is empty: one send at a time, so the
   * order holds, and what arrives while a send is in flight waits for it and goes in the
   * next batch. Under load the batches grow, not a queue of small sends (one per
   * linger), each paying Kafka's acknowledgement.
   */
  let draining: Promise<void> | undefined;
  const drain = async () => {
    try {
      do {
        const batch = takeBatch(buffer, maxBatch, maxBatchBytes);
        for (const prepared of batch) bufferedBytes -= prepared.bytes;
        inFlight.push(...batch);
        await send(batch);
        inFlight.splice(0, batch.length);
      } while (buffer.length > 0);
    } catch (error) {
      // Stop reading at once: nothing read after a failed send may be acknowledged.
      halt(error);
      throw error;
    } finally {
      draining = undefined;
    }
  };

  /** Starts sending what is buffered unless a send is already in flight (which takes it next); resolves when the buffer is sent. */
  const flush = (): Promise<void> => {
    stopLingering();
    if (!draining && buffer.length > 0 && !failure) draining = drain();
    return draining ?? Promise.resolve();
  };

  const sendLingered = () => void flush().catch(() => undefined);
  /**
   * A partial batch waits for the rest of the read it came in: the subscription hands a
   * read's events over one after another without leaving the turn, so an immediate runs
   * once they are all buffered. The store's read pacer already gathers a busy store's
   * appends into one read; a further wait of 5 ms on top was a fixed 5 to 7 ms at every
   * hop (docs/decisions.md). With lingerMs, it waits that long instead.
   */
  const lingerThenFlush = () => {
    if (cancelLinger) return;
    if (lingerMs === 0) {
      const immediate = setImmediate(sendLingered);
      cancelLinger = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(sendLingered, lingerMs);
      cancelLinger = () => clearTimeout(timer);
    }
  };
  function stopLingering() {
    cancelLinger?.();
    cancelLinger = undefined;
  }

  const subscription: Subscription = options.store.subscribeToAll({
    from: options.from,
    batchSize: maxBatch,
    handler: async (event) => {
      if (failure) throw failure;
      let prepared: PreparedEvent;
      try {
        prepared = prepareEvent(event, options.routing, maxBatchBytes);
      } catch (error) {
        // What came before it is published first, so a restart stops at the same event.
        await flush();
        throw error;
      }
      buffer.push(prepared);
      bufferedBytes += prepared.bytes;
      // A full batch holds reading back until it is sent: memory stays at two batches.
      if (buffer.length >= maxBatch || bufferedBytes >= maxBatchBytes) await flush();
      else if (!draining) lingerThenFlush();
    },
  });

  function halt(error: unknown) {
    failure ??= error;
    stopLingering();
    void subscription.stop();
  }

  // Ends with what Kafka acknowledged checkpointed, before the caller lets go of the lock:
  // after a failure too, so a restart repeats less (a lost lock's connection fails the save).
  const done = subscription.done.then(
    async () => {
      if (failure) throw failure;
      await flush();
      await saves.settled();
      if (failure) throw failure;
    },
    async (error: unknown) => {
      stopLingering();
      await saves.settled();
      throw failure ?? error;
    },
  );
  return {
    waiting: () => ({ count: inFlight.length + buffer.length, oldest: (inFlight[0] ?? buffer[0])?.event }),
    done,
    halt,
    stop: async () => {
      await subscription.stop();
      await done;
    },
  };
};
