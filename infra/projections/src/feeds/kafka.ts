import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { HEADER } from '@ordo/messaging';
import type { ProjectionMessage } from '../events';
import type { FeedSession, FeedTarget, OnFeedBatch, ProjectionFeed } from './feed';
import { inStep } from './in-step';

export interface KafkaFeedOptions {
  kafka: Kafka;
  /** Default: the projection's topics. */
  topics?: string[];
  /** Only these partitions, from these offsets (inclusive): `--from-offset topic:partition:offset`. */
  fromOffsets?: FeedTarget[];
  /** Every partition from its first message recorded at or after this time: `--from-time <ISO>`. */
  fromTime?: Date;
  /** Messages a partition holds while the others catch up with its time; past it, it is paused. Default 10,000. */
  stepBound?: number;
}

/** Messages handed over and not yet handled, at most: beyond it the fetching waits. */
const MAX_PENDING = 50_000;
const STEP_BOUND = 10_000;

interface FeedSink {
  onBatch: OnFeedBatch;
  done: () => void;
  fail: (error: unknown) => void;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Where each partition starts, and its last offset when the feed opened (its high watermark minus one). */
const plan = async (options: KafkaFeedOptions, topics: string[]) => {
  const next = new Map<string, bigint>();
  const last = new Map<string, bigint>();
  /** Partitions the consumer must be put back (seek) to `next` on before reading: the group starts at the beginning. */
  const displaced = new Set<string>();
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const byTime = options.fromTime ? await admin.fetchTopicOffsetsByTimestamp(topic, options.fromTime.getTime()) : undefined;
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        const key = keyOf(topic, partition);
        const given = options.fromOffsets?.find((start) => start.topic === topic && start.partition === partition);
        const timed = byTime?.find((start) => start.partition === partition)?.offset;
        // With offsets given, the partitions they do not name are not read at all.
        const start = given
          ? BigInt(given.offset)
          : options.fromOffsets
            ? BigInt(high)
            : timed !== undefined && Number(timed) >= 0
              ? BigInt(timed)
              : BigInt(low);
        next.set(key, start < BigInt(low) ? BigInt(low) : start);
        if (start > BigInt(low)) displaced.add(key);
        last.set(key, BigInt(high) - 1n);
      }
    }
  } finally {
    await admin.disconnect();
  }
  return { next, last, displaced };
};

/** The two headers a projection reads (mayConcern): a rebuild reads every message, so nothing more is decoded. */
const READ_HEADERS = [HEADER.messageKind, HEADER.eventType];

const toMessage = (topic: string, partition: number, message: KafkaMessage): ProjectionMessage => {
  const headers: Record<string, string> = {};
  for (const name of READ_HEADERS) {
    const value = message.headers?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return { topic, partition, offset: message.offset, headers, value: message.value?.toString('utf8') ?? null };
};

/** The batch's messages from `from` to `to` (inclusive): a batch is in offset order, so only its ends are looked at. */
const between = (messages: KafkaMessage[], from: bigint, to: bigint) => {
  let first = 0;
  let end = messages.length;
  while (first < end && BigInt((messages[first] as KafkaMessage).offset) < from) first++;
  while (end > first && BigInt((messages[end - 1] as KafkaMessage).offset) > to) end--;
  return messages.slice(first, end);
};

/**
 * Kafka as a feed: a consumer of a throw-away group (nothing committed, the group deleted
 * at close) reading large batches from the start to the high watermarks captured at open,
 * then on to the targets a swap gives. A partition at its target, or fetched while nobody
 * reads, is paused; one read on is first put back (seek) where the feed left it, since a
 * batch may have run past it.
 */
export const kafkaFeed = (options: KafkaFeedOptions): ProjectionFeed => ({
  kind: 'kafka',
  open: async (projection) => {
    const topics = options.topics ?? projection.topics;
    const { next, last, displaced } = await plan(options, topics);
    const total = [...last].reduce((sum, [key, end]) => sum + Math.max(0, Number(end + 1n - (next.get(key) ?? 0n))), 0);
    const reached = (key: string) => (next.get(key) ?? 0n) > (last.get(key) ?? -1n);
    const allReached = () => [...last.keys()].every(reached);
    const partitionOf = (key: string) => {
      const [topic = '', partition = '0'] = key.split('\u0000');
      return { topic, partition: Number(partition) };
    };

    const groupId = `ordo-feed-${projection.name}-${randomUUID()}`;
    const consumer = options.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // kafkajs' own fetch sizes (10 MB, 1 MB a partition): with 64 MB fetches this feed was
      // about a fifth slower and held 200 MB more, and a bare consumer about a third slower.
    });
    let current: FeedSink | undefined;
    // The batches handed over and not yet handled, in order; a failure fails the read.
    let handing: Promise<void> = Promise.resolve();
    let pending = 0;
    const fetched = inStep<ProjectionMessage>(options.stepBound ?? STEP_BOUND);
    /** Partitions paused because they ran ahead in time (fetched.full). */
    const ahead = new Set<string>();
    const reading = () => [...last.keys()].filter((key) => !reached(key));
    // A paused partition's fetches may have run past `next`: it is put back there before reading on.
    const pause = (key: string) => {
      const { topic, partition } = partitionOf(key);
      consumer.pause([{ topic, partitions: [partition] }]);
      displaced.add(key);
    };
    const resume = (key: string) => {
      const { topic, partition } = partitionOf(key);
      if (displaced.delete(key)) consumer.seek({ topic, partition, offset: String(next.get(key)) });
      consumer.resume([{ topic, partitions: [partition] }]);
    };
    const readOn = () => {
      for (const key of last.keys()) if (!reached(key) && !ahead.has(key)) resume(key);
    };
    /** Hands over, in order and without waiting, what every partition being read has reached in time. */
    const handOver = (sink: FeedSink) => {
      const messages = fetched.take(reading());
      for (const key of ahead) {
        if (!fetched.drained(key)) continue;
        ahead.delete(key);
        resume(key);
      }
      if (messages.length === 0) return;
      pending += messages.length;
      handing = handing.then(() => sink.onBatch(messages)).finally(() => (pending -= messages.length));
      handing.catch((error: unknown) => {
        if (sink === current) current = undefined;
        sink.fail(error);
      });
    };

    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isStale, resolveOffset }) => {
        const key = keyOf(batch.topic, batch.partition);
        const from = next.get(key);
        const to = last.get(key);
        if (isStale() || from === undefined || to === undefined) return;
        // Nobody reading: held back, and read again from `next` (readOn seeks there first).
        if (!current) return pause(key);
        const sink = current;
        const wanted = between(batch.messages, from, to);
        if (wanted.length > 0) {
          fetched.push(
            key,
            wanted.map((message) => ({ message: toMessage(batch.topic, batch.partition, message), timestamp: Number(message.timestamp) })),
          );
          next.set(key, BigInt((wanted[wanted.length - 1] as KafkaMessage).offset) + 1n);
        }
        // Resolved once fetched (the feed holds the messages now): left unresolved, a rebuild
        // of 200,000 events never reached its end (the replay bench; 150,000 did), the consumer
        // fetching no further. Resolving past a pause is harmless: a paused partition is put
        // back to `next` (seek) when it is resumed.
        const lastMessage = batch.messages[batch.messages.length - 1];
        if (lastMessage) resolveOffset(lastMessage.offset);
        if (reached(key)) pause(key);
        else if (fetched.full(key)) {
          ahead.add(key);
          pause(key);
        }
        // The next fetch overlaps the handling of what is handed over here.
        handOver(sink);
        if (pending > MAX_PENDING) await handing.catch(() => undefined);
        await heartbeat();
        if (allReached()) handing.then(sink.done, () => undefined);
      },
    });
    for (const key of last.keys()) if (reached(key)) pause(key);

    const readUntilReached = (onBatch: OnFeedBatch) =>
      new Promise<void>((resolve, reject) => {
        current = { onBatch, done: resolve, fail: reject };
        if (allReached()) resolve();
        else readOn();
      }).finally(() => (current = undefined));

    const session: FeedSession = {
      total,
      readToEnd: readUntilReached,
      catchUp: async (targets, onBatch) => {
        for (const target of targets) {
          const key = keyOf(target.topic, target.partition);
          const current = last.get(key);
          if (current !== undefined && BigInt(target.offset) > current) last.set(key, BigInt(target.offset));
        }
        await readUntilReached(onBatch);
      },
      close: async () => {
        await consumer.disconnect();
        const admin = options.kafka.admin();
        await admin.connect();
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect();
      },
    };
    return session;
  },
});
