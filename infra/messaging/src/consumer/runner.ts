import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterStore, RedriveResult } from '../dead-letters/store';
import { HEADER, readHeaders } from '../headers';
import { createProcessor, type ProcessingOptions } from './processor';

export type { ConsumedMessage, HandlerContext } from './processor';

export interface ConsumerRunnerOptions<T> extends ProcessingOptions<T> {
  kafka: Kafka;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Sequenced dead letters (DESIGN.md, "Ordering is per key"): a message that still fails
   * after the retries, or fails `parse`, is parked under groupId with every later message
   * of its key, and the other keys flow on. Each parked message is also produced to
   * `topic` (`deadLetterTopic(...)`), which must exist, for visibility. Without this
   * option a message that still fails throws, and kafkajs restarts from the last commit.
   */
  deadLetters?: { store: DeadLetterStore; topic?: string };
}

export interface ConsumerRunner {
  consumer: Consumer;
  /** Finishes the message in hand, commits, and leaves the group. */
  stop(): Promise<void>;
  /**
   * Applies a parked key's messages in order through this runner's parse, inbox and
   * handler (an operator calls it once the cause is fixed), stopping at the first failure.
   * Requires `deadLetters`. Any group member may redrive: members reload the parked keys
   * on every batch, and one that parks a message finding nothing ahead of it applies it.
   */
  redrive(key: string): Promise<RedriveResult>;
}

const toLetter = (topic: string, partition: number, message: KafkaMessage): DeadLetter => {
  const headers = readHeaders(message.headers);
  return {
    key: message.key?.toString('utf8') ?? '',
    topic,
    partition,
    offset: message.offset,
    ...(headers[HEADER.eventId] === undefined ? {} : { messageId: headers[HEADER.eventId] }),
    headers,
    value: message.value?.toString('utf8') ?? null,
  };
};

/**
 * Runs a consumer group with eachBatch: in order per partition, one message at a time,
 * heartbeats between messages and retries, offsets resolved as each message is done
 * and committed per batch, and nothing more done for a partition no longer assigned.
 */
export const runConsumer = async <T>(options: ConsumerRunnerOptions<T>): Promise<ConsumerRunner> => {
  const { groupId, deadLetters } = options;
  let producer: Producer | undefined;
  if (deadLetters?.topic) {
    producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
  }
  const consumer = options.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });

  // The DLQ topic is for people to see; the dead-letter table is what redrive reads.
  const publishParked = async (letter: DeadLetter, error: string) => {
    if (!producer || !deadLetters?.topic) return;
    const headers: IHeaders = { ...letter.headers, 'dlq-error': error, 'dlq-topic': letter.topic, 'dlq-partition': String(letter.partition), 'dlq-offset': letter.offset };
    await producer.send({ topic: deadLetters.topic, messages: [{ key: letter.key, value: letter.value, headers }] });
  };
  const processor = createProcessor(options, deadLetters?.store, publishParked);
  await processor.migrate();

  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload) => {
      // Reloaded at every batch (one small query): a key parked or redriven by another
      // member, before or after a rebalance, is honoured without any event wiring.
      await processor.reloadParked();
      for (const message of batch.messages) {
        // A rebalance took the partition, or we are stopping: leave the rest to its next owner.
        if (!isRunning() || isStale()) break;
        await processor.handle(toLetter(batch.topic, batch.partition, message), heartbeat);
        resolveOffset(message.offset);
        await heartbeat();
      }
      await commitOffsetsIfNecessary();
    },
  });

  return {
    consumer,
    stop: async () => {
      await consumer.disconnect();
      await producer?.disconnect();
    },
    redrive: processor.redrive,
  };
};
