import type { DeadLetter } from '../dead-letters/store';
import type { Inbox } from './inbox';
import type { ConsumedMessage, Delivery, Processor, ProcessingOptions } from './processor';
import { inLanes } from './lanes';
import { DeliveryAbandoned, type DeliveryControl } from './retry';
import { inMessageContext } from './trace';

// Messages applied in one inbox transaction: enough that the commit costs little per
// message, few enough that a failure sends few messages down the one-by-one path. And
// short: while it runs, it holds back every reader of the event stores in the same
// PostgreSQL cluster (a reader sees only transactions older than the oldest running
// one, eventstore's visibility rule), and it holds the inbox rows a duplicate's next
// owner waits on. So a chunk's size follows the time messages took so far, aiming at
// CHUNK_MS, from FIRST_CHUNK up to MAX_CHUNK messages.
export const CHUNK_SIZES = { first: 10, max: 500, aimMs: 50 } as const;
const { first: FIRST_CHUNK, max: MAX_CHUNK, aimMs: CHUNK_MS } = CHUNK_SIZES;

/** What a Kafka batch lets its handler do. */
export interface BatchControl extends DeliveryControl {
  /** This message and every one before it in its partition are done. */
  resolve(letter: DeadLetter): void;
}

/**
 * A batch of one partition, in order, in chunks: with an inbox, a chunk's messages are
 * applied in one transaction (each id recorded, each fresh message handled with the
 * same query, one commit). Anything failing in it (parse, a handler, the database)
 * rolls the chunk back, and its messages go one at a time through the processor, with
 * retries in place and parking, as without an inbox. A message whose key is parked is
 * parked behind it first: the order that matters is the order per key.
 */
export const createBatchHandler = <T>(options: ProcessingOptions<T>, processor: Processor<T>) => {
  // A batch handler (a projection's) costs its statements, not its messages: its chunks
  // are as large as can be from the start. Sized by time, they shrank to a message or two
  // wherever the time was spent waiting (embedded mode's one PGlite connection, busy with
  // everyone's transactions), and each small chunk cost a whole transaction more.
  // So are those of a consumer without an inbox whose sequences go at once: a chunk ends
  // only when its slowest sequence is done, and the more sequences one holds, the more
  // of them go together.
  let chunkSize: number = options.handleChunk || (!options.inbox && (options.concurrentSequences ?? 1) > 1) ? MAX_CHUNK : FIRST_CHUNK;
  /** The next chunk's size from the last one's time: at most twice as many, at least one. */
  const adapt = (messages: number, elapsedMs: number) => {
    if (options.handleChunk) return;
    const fitting = elapsedMs > 0 ? Math.floor((CHUNK_MS * messages) / elapsedMs) : MAX_CHUNK;
    chunkSize = Math.max(1, Math.min(fitting, chunkSize * 2, MAX_CHUNK));
  };

  /**
   * True once committed, false when rolled back. A failing heartbeat (the group is
   * rebalancing) is told apart from a failing message: it gives the batch up, as it
   * does between messages, rather than sending the chunk down the one-by-one path.
   */
  const applyTogether = async (inbox: Inbox, messages: ConsumedMessage<T>[], heartbeat: () => Promise<void>): Promise<boolean> => {
    let lostGroup: { error: unknown } | undefined;
    const started = performance.now();
    try {
      const beat = () =>
        heartbeat().catch((error: unknown) => {
          lostGroup = { error };
          throw error;
        });
      await inbox.onceEach(
        options.groupId,
        messages.map((message) => message.messageId),
        async (query, fresh) => {
          if (options.handleChunk) {
            const unseen = messages.filter((message) => fresh(message.messageId));
            if (unseen.length > 0) await options.handleChunk(unseen, { query });
            return beat();
          }
          for (const message of messages) {
            if (fresh(message.messageId)) await inMessageContext(options.groupId, message, () => options.handle(message, { query }));
            await beat();
          }
        },
      );
      adapt(messages.length, performance.now() - started);
      return true;
    } catch {
      if (lostGroup) throw lostGroup.error;
      return false;
    }
  };

  /**
   * A sequence's waiting messages through `handleTogether`: all of them, or, when it fails
   * (or one failed parse, to be parked in its place), none, for the one-by-one path.
   */
  const handleSequenceTogether = async (
    handleTogether: (messages: ConsumedMessage<T>[]) => Promise<void>,
    deliveries: Delivery<T>[],
    batch: BatchControl,
  ): Promise<'handled' | 'one by one' | 'stopped'> => {
    if (!batch.isActive()) return 'stopped';
    const messages = deliveries.flatMap(({ parsed }) => ('message' in parsed ? [parsed.message] : []));
    const [first] = messages;
    if (!first || messages.length < deliveries.length) return 'one by one';
    try {
      await inMessageContext(options.groupId, first, () => handleTogether(messages));
      return 'handled';
    } catch (error) {
      const sequence = deliveries[0]?.sequence;
      options.logger?.debug({ groupId: options.groupId, sequence, messages: messages.length, error }, 'handled together, failed: each on its own');
      return 'one by one';
    }
  };
  const { handleTogether } = options;

  /**
   * Each message in a transaction of its own (or none), a sequence's in order, up to
   * `concurrentSequences` sequences at once (default one message at a time, in order).
   * False when it stopped short: the partition is no longer ours. A rebalance or a stop
   * during a message's retries abandons it unresolved and unparked, for the next owner;
   * a heartbeat that told of the rebalance is rethrown, as between messages. With
   * `handleTogether`, a sequence's waiting messages are first tried at once.
   */
  const eachOnItsOwn = (deliveries: Delivery<T>[], batch: BatchControl): Promise<boolean> =>
    inLanes(deliveries, (delivery) => delivery.sequence, options.concurrentSequences ?? 1, {
      ...(handleTogether && !options.inbox ? { together: (sequence: Delivery<T>[]) => handleSequenceTogether(handleTogether, sequence, batch) } : {}),
      handle: async (delivery) => {
        if (!batch.isActive()) return false;
        try {
          await processor.handleDelivery(delivery, batch);
          return true;
        } catch (error) {
          if (!(error instanceof DeliveryAbandoned)) throw error;
          if (error.heartbeatError !== undefined) throw error.heartbeatError;
          return false;
        }
      },
      handledUpTo: (delivery) => batch.resolve(delivery.letter),
      between: () => batch.heartbeat(),
    });

  const handleChunk = async (letters: DeadLetter[], batch: BatchControl): Promise<boolean> => {
    const deliveries: Delivery<T>[] = [];
    for (const letter of letters) {
      const delivery = processor.deliver(letter);
      if (!(await processor.parkedBehind(delivery))) deliveries.push(delivery);
    }
    const messages = deliveries.flatMap(({ parsed }) => ('message' in parsed ? [parsed.message] : []));
    const together =
      options.inbox !== undefined &&
      deliveries.length > 0 &&
      messages.length === deliveries.length &&
      (await applyTogether(options.inbox, messages, () => batch.heartbeat()));
    if (!together && !(await eachOnItsOwn(deliveries, batch))) return false;
    const last = letters[letters.length - 1];
    if (last) batch.resolve(last);
    await batch.heartbeat();
    return true;
  };

  return async (letters: DeadLetter[], batch: BatchControl): Promise<void> => {
    for (let next = 0; next < letters.length;) {
      // Checked between chunks and messages; a chunk under way still commits, and the
      // partition's next owner finds its ids in the inbox (waiting for its commit).
      if (!batch.isActive()) return;
      const chunk = letters.slice(next, next + chunkSize);
      if (!(await handleChunk(chunk, batch))) return;
      next += chunk.length;
    }
  };
};
