import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterStore, ParkedMessage, RedriveResult } from '../dead-letters/store';
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

const toConsumed = (letter: DeadLetter): ConsumedMessage<unknown> => {
  let value: unknown = letter.value;
  try {
    value = letter.value === null ? null : JSON.parse(letter.value);
  } catch {
    // not JSON: the handler (or parse) gets the text
  }
  const { topic, partition, offset, key, headers } = letter;
  return { topic, partition, offset, key, messageId: letter.messageId ?? `${topic}/${partition}/${offset}`, headers, value };
};

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

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs a consumer group with eachBatch: in order per partition, one message at a time,
 * heartbeats between messages and retries, offsets resolved as each message is done
 * and committed per batch, and nothing more done for a partition no longer assigned.
 */
export const runConsumer = async <T>(options: ConsumerRunnerOptions<T>): Promise<ConsumerRunner> => {
  const attempts = options.retry?.attempts ?? 5;
  const initialMs = options.retry?.initialMs ?? 100;
  const maxMs = options.retry?.maxMs ?? 5_000;
  const { groupId, deadLetters } = options;
  await options.inbox?.migrate();
  await deadLetters?.store.migrate();

  let producer: Producer | undefined;
  if (deadLetters?.topic) {
    producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
  }
  const consumer = options.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });

  // A parse failure is not transient: it is thrown before the retries, so it is parked at once.
  const parse = (raw: ConsumedMessage<unknown>): ConsumedMessage<T> => {
    if (!options.parse) return { ...raw, value: raw.value as T };
    try {
      return { ...raw, value: options.parse(raw.value, raw.headers) };
    } catch (error) {
      throw new Error(`unparsable message: ${describeError(error)}`, { cause: error });
    }
  };

  const apply = async (message: ConsumedMessage<T>) => {
    if (!options.inbox) return options.handle(message, {});
    await options.inbox.once(groupId, message.messageId, (query) => options.handle(message, { query }));
  };

  const processWithRetry = async (raw: ConsumedMessage<unknown>, heartbeat: () => Promise<void>) => {
    const message = parse(raw);
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

  // ---- Sequenced dead letters

  // Reloaded at the start of every batch (one small query), so a key parked or redriven
  // by another member, before or after a rebalance, is seen without any event wiring.
  let parked = new Set<string>();
  const redriveKey = async (key: string): Promise<RedriveResult> => {
    if (!deadLetters) throw new Error(`consumer ${groupId} has no dead-letter store to redrive from`);
    const result = await deadLetters.store.redrive(groupId, key, (message: ParkedMessage) => apply(parse(toConsumed(message))));
    if (result.remaining === 0) parked.delete(key);
    return result;
  };

  const park = async (store: DeadLetterStore, letter: DeadLetter, raw: KafkaMessage, error: string, behind: boolean) => {
    await store.park(groupId, letter, error);
    parked.add(letter.key);
    if (producer && deadLetters?.topic) {
      const headers: IHeaders = {
        ...raw.headers,
        'dlq-error': error,
        'dlq-topic': letter.topic,
        'dlq-partition': String(letter.partition),
        'dlq-offset': letter.offset,
      };
      await producer.send({ topic: deadLetters.topic, messages: [{ key: raw.key, value: raw.value, headers }] });
    }
    // Parked behind a key whose messages a redrive has meanwhile applied: nothing is
    // ahead of it any more, so nothing would redrive it; it is applied now, in order.
    if (behind) {
      const [head] = await store.parkedMessages(groupId, letter.key);
      if (head && head.topic === letter.topic && head.partition === letter.partition && head.offset === letter.offset) await redriveKey(letter.key);
    }
  };

  const handleOne = async (topic: string, partition: number, raw: KafkaMessage, heartbeat: () => Promise<void>) => {
    const letter = toLetter(topic, partition, raw);
    if (!deadLetters) return processWithRetry(toConsumed(letter), heartbeat);
    if (parked.has(letter.key)) return park(deadLetters.store, letter, raw, `parked behind the failed message of key '${letter.key}'`, true);
    try {
      await processWithRetry(toConsumed(letter), heartbeat);
    } catch (error) {
      await park(deadLetters.store, letter, raw, describeError(error), false);
    }
  };

  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload) => {
      if (deadLetters) parked = await deadLetters.store.parkedKeys(groupId);
      for (const message of batch.messages) {
        // A rebalance took the partition, or we are stopping: leave the rest to its next owner.
        if (!isRunning() || isStale()) break;
        await handleOne(batch.topic, batch.partition, message, heartbeat);
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
    redrive: redriveKey,
  };
};
