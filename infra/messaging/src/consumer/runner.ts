import type { EachBatchPayload, Kafka, KafkaMessage, Offsets } from 'kafkajs';
import { kafkajsProducer } from '../clients/producer';
import type { DeadLetter, DeadLetterStore, RedriveResult } from '../dead-letters/store';
import { failureSignal } from '../failure';
import { HEADER, readHeaders } from '../headers';
import { backgroundCommits } from '../background-commits';
import type { ProcessingOptions } from './processor';
import { pruneInboxPeriodically } from './pruning';
import { DeliveryAbandoned } from './retry';
import { setUpHandling } from './setup';

export type { ConsumedMessage, HandlerContext } from './processor';

/** A consumer group's options, whichever Kafka client runs it. */
export interface RunnerOptions<T> extends ProcessingOptions<T> {
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Partitions whose batches are handled at the same time, each in its own order (the
   * order per key holds: a key lives in one partition). Each holds a database connection
   * while its chunk runs. Default 3, the partitions of Ordo's topics.
   */
  concurrentPartitions?: number;
  /**
   * Sequenced dead letters (docs/architecture.md, "Ordering is per key"): a message that still fails
   * after the retries, or fails `parse`, is parked under groupId with every later message
   * of its sequence (`sequenceBy`, default the key), and the other sequences flow on. Each parked message is also produced to
   * `topic` (`deadLetterTopic(...)`), which must exist, for visibility. Without this
   * option a message that still fails throws, and kafkajs restarts from the last commit.
   */
  deadLetters?: { store: DeadLetterStore; topic?: string };
}

export interface ConsumerRunnerOptions<T> extends RunnerOptions<T> {
  kafka: Kafka;
}

export interface ConsumerRunner {
  /** Rejects when the consumer failed for good (the client gave up restarting it). */
  failed: Promise<never>;
  /** Finishes the chunk or message in hand, commits what is done, and leaves the group. */
  stop(): Promise<void>;
  /**
   * Applies a parked key's messages in order through this runner's parse, inbox and
   * handler (an operator calls it once the cause is fixed), stopping at the first failure.
   * Requires `deadLetters`. Any group member may redrive: a member that parks a message
   * behind its sequence and finds nothing ahead of it applies it.
   */
  redrive(sequence: string): Promise<RedriveResult>;
}

/** A gathering fetch returns early once this much is ready: more than a gathering brings at the rates Ordo runs. */
const GATHER_BYTES = 1 << 20;

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
 * Runs a consumer group with eachBatch: in order per partition (several partitions at
 * once), with the inbox in chunks of one transaction each (else, and after a failure,
 * one message at a time), heartbeats between messages and retries, offsets resolved as
 * each chunk or message is done and committed in the background (before going on when
 * stopping, rebalancing or failing), and nothing more done for a partition no longer
 * assigned.
 */
export const runConsumer = async <T>(options: ConsumerRunnerOptions<T>): Promise<ConsumerRunner> => {
  const { groupId } = options;
  const { processor, handleBatch, disconnect } = await setUpHandling(options, () => kafkajsProducer(options.kafka));
  // An idle fetch waits at most half a second for messages (Kafka's own default; kafkajs
  // waits 5 s): stop() and a rebalance wait for the fetch in flight, so they take that long.
  // A message arriving ends the wait at once, unless messages are to gather (gatherMs).
  const fetchWait = options.gatherMs === undefined ? { maxWaitTimeInMs: 500 } : { maxWaitTimeInMs: options.gatherMs, minBytes: GATHER_BYTES };
  const consumer = options.kafka.consumer({ groupId, allowAutoTopicCreation: false, ...fetchWait });
  const { failed, fail } = failureSignal();
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error);
  });
  // Emitted once the group has synced, before the first fetch of the new assignment.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assignment = processor.assigned();
    // With sequenceBy, batches reload the parked sequences, which another member may park
    // at any time, unless the group has this member alone (processor.ts, reloadParked). Until
    // the group is described, and should that fail, they reload as before.
    if (!options.sequenceBy) return;
    consumer.describeGroup().then(
      ({ state, members }) => {
        if (state === 'Stable' && members.length === 1 && members[0]?.memberId === payload.memberId) processor.alone(assignment);
      },
      () => undefined,
    );
  });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });

  const pruning = options.inbox ? pruneInboxPeriodically(options.inbox, groupId, options.inboxRetention, options.logger) : undefined;

  // The offsets of the latest commit asked for, to say which partitions a failed one concerned.
  let committing: Offsets = { topics: [] };
  const commits = backgroundCommits((error) => {
    for (const { topic, partitions } of committing.topics) {
      for (const { partition, offset } of partitions)
        options.logger?.warn({ err: error, groupId, topic, partition, offset }, 'offset commit failed; the messages since the last commit will come again');
    }
  });
  let stopping = false;
  // Aborted by stop(): a retry's wait under way ends at once, the message left unresolved.
  const stopped = new AbortController();

  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: false, // committed by backgroundCommits, off the fetch loop
    partitionsConsumedConcurrently: options.concurrentPartitions ?? 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets }: EachBatchPayload) => {
      // Commits all that this member resolved so far, in every partition.
      const commit = () => {
        committing = uncommittedOffsets();
        return commitOffsetsIfNecessary(committing);
      };
      // A rebalance took the partition, or we are stopping: the rest is left to its next owner.
      const control = { heartbeat, isActive: () => isRunning() && !isStale() && !stopped.signal.aborted, signal: stopped.signal };
      try {
        // After a rebalance (and at every batch of a consumer with sequenceBy, unless it is alone
        // in its group): a sequence parked by another member is honoured (processor.ts, reloadParked).
        await processor.reloadParked(control);
        await handleBatch(
          batch.messages.map((message) => toLetter(batch.topic, batch.partition, message)),
          { ...control, resolve: (letter) => resolveOffset(letter.offset) },
        );
      } catch (failure) {
        // A reload given up for a rebalance ends the batch as one between messages does.
        const error = failure instanceof DeliveryAbandoned ? failure.heartbeatError : failure;
        // A failed heartbeat (the group rebalances) or message: what was done is committed
        // first, so that the partition's next owner, or this one restarted, does not repeat it.
        await commits
          .now(commit)
          .catch((commitError: unknown) =>
            options.logger?.warn({ err: commitError, groupId, topic: batch.topic, partition: batch.partition }, 'offset commit failed'),
          );
        if (error !== undefined) throw error;
        return;
      }
      if (stopping || !isRunning()) await commits.now(commit);
      else commits.request(commit);
    },
  });

  return {
    failed,
    stop: async () => {
      // From now on a batch commits before it returns, and kafkajs waits for the batch
      // under way before leaving the group: nothing resolved stays uncommitted.
      stopping = true;
      stopped.abort();
      await pruning?.stop();
      await commits.settled();
      await consumer.disconnect();
      await disconnect();
    },
    redrive: processor.redrive,
  };
};
