import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@platformatic/kafka';
import { backgroundCommits } from '../background-commits';
import { pruneInboxPeriodically } from '../consumer/pruning';
import type { ConsumerRunner, RunnerOptions } from '../consumer/runner';
import { setUpHandling } from '../consumer/setup';
import type { DeadLetter } from '../dead-letters/store';
import { failureSignal } from '../failure';
import { HEADER } from '../headers';
import { platformaticProducer } from './platformatic-producer';

export interface PlatformaticRunnerOptions<T> extends RunnerOptions<T> {
  brokers: string[];
  clientId: string;
}

// The group's timings and the fetch's sizes are kafkajs's defaults, so that the two
// clients behave alike behind the port (the library's own: a 60 s session, 5 s fetch wait).
const GROUP_TIMINGS = { sessionTimeout: 30_000, rebalanceTimeout: 60_000, heartbeatInterval: 3_000 };
const FETCH_SIZES = { maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024 };
/** A gathering fetch returns early once this much is ready (as the kafkajs runner's). */
const GATHER_BYTES = 1 << 20;
/**
 * Messages read and not yet handled, over every partition: above it the stream pauses. About
 * 5 MB at the sizes Ordo's events have, the order of one kafkajs fetch (10 MiB at most); at
 * 2,000 the runner carried 0.79 of the kafkajs runner's messages a second, at 10,000 0.88
 * (one messaging bench run each, 2026-12-04).
 */
const MAX_WAITING = 10_000;
/** The pause before a partition's failed messages are tried again (kafkajs retries a failed batch likewise). */
const RETRY_BATCH_MS = 1_000;
/** Kafka takes -1 for a leader epoch it is not told; the commit is checked by generation and member. */
const UNKNOWN_LEADER_EPOCH = -1;

/** A partition's messages waiting to be handled, in order, and how far they are done. */
interface PartitionWork {
  topic: string;
  partition: number;
  queue: DeadLetter[];
  /** The last offset queued: a fetch after a rejoin starts again from the last commit, and what is queued already is skipped. */
  lastQueued: bigint;
  /** The next offset to commit (one past the last resolved), and the last one committed. */
  resolved: bigint | undefined;
  committed: bigint | undefined;
  /** Bumped when the partition is revoked: work started before it is no longer ours. */
  generation: number;
  running: boolean;
}

const toLetter = (message: Message): DeadLetter => {
  const headers: Record<string, string> = {};
  for (const [name, value] of message.headers) headers[name.toString('utf8')] = value.toString('utf8');
  return {
    key: message.key?.toString('utf8') ?? '',
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    ...(headers[HEADER.eventId] === undefined ? {} : { messageId: headers[HEADER.eventId] }),
    headers,
    // A record without a value (a tombstone) has an empty one here.
    value: message.value && message.value.length > 0 ? message.value.toString('utf8') : null,
  };
};

/**
 * The consumer runner on @platformatic/kafka, with the kafkajs runner's contract: each
 * partition in order, several at once, chunks in the inbox's transaction, offsets
 * committed in the background after the work, dead letters parked by sequence.
 * The library hands over one stream of messages for every partition, so the split into
 * partitions, the bound on what is read ahead (the stream pauses) and the fencing of a
 * revoked partition's work are done here. It heartbeats on its own timer, so a
 * heartbeat here only asks whether the partition is still ours.
 */
export const runPlatformaticConsumer = async <T>(options: PlatformaticRunnerOptions<T>): Promise<ConsumerRunner> => {
  const { groupId } = options;
  const concurrency = options.concurrentPartitions ?? 3;
  const { processor, handleBatch, disconnect } = await setUpHandling(options, () =>
    platformaticProducer({ brokers: options.brokers, clientId: `${options.clientId}-dlq` }),
  );

  // Loaded when first used, as the producer is (platformatic-producer.ts).
  const { Consumer } = await import('@platformatic/kafka');
  const fetchWait = options.gatherMs === undefined ? { maxWaitTime: 500 } : { maxWaitTime: options.gatherMs, minBytes: GATHER_BYTES };
  const consumer = new Consumer({ clientId: options.clientId, bootstrapBrokers: options.brokers, groupId, ...GROUP_TIMINGS, ...FETCH_SIZES, ...fetchWait });
  const { failed, fail } = failureSignal();
  const stopped = new AbortController();
  const partitions = new Map<string, PartitionWork>();
  const ready: PartitionWork[] = [];
  let running = 0;
  let waiting = 0;
  let idle: (() => void) | undefined;

  const assigned = (topic: string, partition: number) =>
    Boolean(consumer.assignments?.some((assignment) => assignment.topic === topic && assignment.partitions.includes(partition)));

  const commit = async () => {
    const done = [...partitions.values()].flatMap((work) =>
      work.resolved !== undefined && work.resolved !== work.committed && assigned(work.topic, work.partition) ? [{ work, offset: work.resolved }] : [],
    );
    if (done.length === 0) return;
    await consumer.commit({
      offsets: done.map(({ work, offset }) => ({ topic: work.topic, partition: work.partition, offset, leaderEpoch: UNKNOWN_LEADER_EPOCH })),
    });
    for (const { work, offset } of done) work.committed = offset;
  };
  const commits = backgroundCommits((error) =>
    options.logger?.warn({ err: error, groupId }, 'offset commit failed; the messages since the last commit will come again'),
  );

  const drain = async (work: PartitionWork) => {
    const letters = work.queue.splice(0);
    const generation = work.generation;
    const isActive = () => work.generation === generation && !stopped.signal.aborted;
    const control = {
      heartbeat: async () => {
        if (!isActive()) throw new Error(`partition ${work.topic}/${work.partition} is no longer this member's`);
      },
      isActive,
      signal: stopped.signal,
      resolve: (letter: DeadLetter) => {
        if (isActive()) work.resolved = BigInt(letter.offset) + 1n;
      },
    };
    try {
      await processor.reloadParked(control);
      await handleBatch(letters, control);
      commits.request(commit);
    } catch (error) {
      // Revoked or stopping: the rest is left to the partition's next owner, from the last commit.
      if (!isActive()) return;
      // A failure the processor did not park (the database is down): what was done is
      // committed, and the rest is tried again, in order, after a pause.
      await commits.now(commit).catch(() => undefined);
      options.logger?.warn({ err: error, groupId, topic: work.topic, partition: work.partition }, 'batch failed; retrying it');
      await sleep(RETRY_BATCH_MS, undefined, { signal: stopped.signal }).catch(() => undefined);
      const done = work.resolved ?? -1n;
      const again = isActive() ? letters.filter((letter) => BigInt(letter.offset) >= done) : [];
      work.queue.unshift(...again);
      waiting += again.length;
    } finally {
      waiting -= letters.length;
    }
  };

  const pump = () => {
    while (running < concurrency && ready.length > 0 && !stopped.signal.aborted) {
      const work = ready.shift() as PartitionWork;
      work.running = true;
      running += 1;
      void drain(work).finally(() => {
        work.running = false;
        running -= 1;
        if (work.queue.length > 0) schedule(work);
        pump();
        if (waiting < MAX_WAITING / 2 && stream.isPaused() && !stopped.signal.aborted) stream.resume();
        if (running === 0) idle?.();
      });
    }
  };
  // The stream emits a fetch's messages one by one: partitions start once the whole fetch is
  // queued (the next turn of the event loop), so a partition's batch is what the fetch
  // brought, and the partitions of a fetch start together (a projection groups their chunks).
  let pumpScheduled = false;
  const schedule = (work: PartitionWork) => {
    if (!work.running && !ready.includes(work)) ready.push(work);
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  };

  // After a rebalance: a partition no longer assigned drops what waits and fences what runs.
  consumer.on('consumer:group:join', () => {
    processor.assigned();
    for (const work of partitions.values()) {
      if (assigned(work.topic, work.partition)) continue;
      waiting -= work.queue.length;
      work.queue = [];
      work.generation += 1;
      work.lastQueued = -1n;
      work.resolved = work.committed = undefined;
    }
  });
  // Before rejoining, what is done is committed, so the partition's next owner starts after it.
  consumer.on('consumer:group:rejoin', () => void commits.now(commit).catch(() => undefined));

  const stream = await consumer.consume({
    topics: options.topics,
    mode: 'committed',
    fallbackMode: options.fromBeginning === false ? 'latest' : 'earliest',
    autocommit: false,
  });
  stream.on('error', fail);
  stream.on('data', (message: Message) => {
    // A fetch answered after its partition was revoked: the partition's next owner reads it.
    if (!assigned(message.topic, message.partition)) return;
    const key = `${message.topic}:${message.partition}`;
    let work = partitions.get(key);
    if (!work) {
      work = {
        topic: message.topic,
        partition: message.partition,
        queue: [],
        lastQueued: -1n,
        resolved: undefined,
        committed: undefined,
        generation: 0,
        running: false,
      };
      partitions.set(key, work);
    }
    if (message.offset <= work.lastQueued) return;
    work.lastQueued = message.offset;
    work.queue.push(toLetter(message));
    waiting += 1;
    if (waiting >= MAX_WAITING) stream.pause();
    schedule(work);
  });

  const pruning = options.inbox ? pruneInboxPeriodically(options.inbox, groupId, options.inboxRetention, options.logger) : undefined;

  return {
    failed,
    stop: async () => {
      // The chunk under way finishes (its work is no longer active after it), and what is done is committed.
      stopped.abort();
      stream.pause();
      if (running > 0) await new Promise<void>((resolve) => (idle = resolve));
      await pruning?.stop();
      await commits.settled();
      await commits.now(commit).catch((error: unknown) => options.logger?.warn({ err: error, groupId }, 'offset commit failed'));
      await stream.close();
      await consumer.close();
      await disconnect();
    },
    redrive: processor.redrive,
  };
};
