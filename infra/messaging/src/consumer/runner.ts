import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { HEADER, readHeaders } from '../headers';
import type { Inbox, Query } from './inbox';

/** A message as a handler gets it: value parsed, headers as strings, the id it is deduplicated by. */
export interface ConsumedMessage<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  /** The event id header, else topic/partition/offset. */
  messageId: string;
  headers: Record<string, string>;
  value: T;
}

export interface HandlerContext {
  /** With an inbox: the transaction the handler's writes commit in, with the message id. */
  query?: Query;
}

export interface ConsumerRunnerOptions<T> {
  kafka: Kafka;
  /** The consumer group, and the name its inbox rows and dead letters are kept under. */
  groupId: string;
  topics: string[];
  /** Turns the raw value into the handler's type; tolerant of unknown fields. A throw counts as a failure. */
  parse?: (value: unknown, headers: Record<string, string>) => T;
  handle: (message: ConsumedMessage<T>, context: HandlerContext) => Promise<void>;
  inbox?: Inbox;
  /** Transient failures are retried in place: attempts in all, backoff doubling from initialMs to maxMs. */
  retry?: { attempts?: number; initialMs?: number; maxMs?: number };
  fromBeginning?: boolean;
}

export interface ConsumerRunner {
  consumer: Consumer;
  /** Finishes the message in hand, commits, and leaves the group. */
  stop(): Promise<void>;
}

const toConsumed = (topic: string, partition: number, message: KafkaMessage): ConsumedMessage<unknown> => {
  const headers = readHeaders(message.headers);
  const text = message.value?.toString('utf8');
  let value: unknown = text;
  try {
    value = text === undefined ? null : JSON.parse(text);
  } catch {
    // not JSON: the handler (or parse) gets the text
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    messageId: headers[HEADER.eventId] ?? `${topic}/${partition}/${message.offset}`,
    headers,
    value,
  };
};

/**
 * Runs a consumer group with eachBatch: in order per partition, one message at a time,
 * heartbeats between messages and retries, offsets resolved as each message is done
 * and committed per batch, and nothing more done for a partition no longer assigned.
 */
export const runConsumer = async <T>(options: ConsumerRunnerOptions<T>): Promise<ConsumerRunner> => {
  const attempts = options.retry?.attempts ?? 5;
  const initialMs = options.retry?.initialMs ?? 100;
  const maxMs = options.retry?.maxMs ?? 5_000;
  await options.inbox?.migrate();

  const consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });

  const apply = async (raw: ConsumedMessage<unknown>) => {
    const message = { ...raw, value: options.parse ? options.parse(raw.value, raw.headers) : (raw.value as T) };
    if (!options.inbox) return options.handle(message, {});
    await options.inbox.once(options.groupId, message.messageId, (query) => options.handle(message, { query }));
  };

  const processWithRetry = async (message: ConsumedMessage<unknown>, heartbeat: () => Promise<void>) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await apply(message);
      } catch (error) {
        if (attempt >= attempts) throw error;
        await sleep(Math.min(initialMs * 2 ** (attempt - 1), maxMs));
        await heartbeat();
      }
    }
  };

  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload) => {
      for (const message of batch.messages) {
        // A rebalance took the partition, or we are stopping: leave the rest to its next owner.
        if (!isRunning() || isStale()) break;
        await processWithRetry(toConsumed(batch.topic, batch.partition, message), heartbeat);
        resolveOffset(message.offset);
        await heartbeat();
      }
      await commitOffsetsIfNecessary();
    },
  });

  return { consumer, stop: () => consumer.disconnect() };
};
