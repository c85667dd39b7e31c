import type { Logger } from '@ordo/runtime';
import type { DeadLetter, DeadLetterStore, ParkedMessage, RedriveResult } from '../dead-letters/store';
import type { Inbox, Query } from './inbox';
import type { InboxRetention } from './pruning';
import { DeliveryAbandoned, retryPolicy, unattended, withRetries, type DeliveryControl, type RetryPolicy } from './retry';
import { inMessageContext } from './trace';

/** A message as a handler gets it, on either bus: value parsed, headers as strings, the id it is deduplicated by. */
export interface ConsumedMessage<T = unknown> {
  topic: string;
  partition: number;
  /** Kafka's offset, or the embedded bus's store checkpoint. */
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

/** What a consumer does with each message, whichever bus delivers it. */
export interface ProcessingOptions<T> {
  /** The consumer's name: its group, its inbox rows and its dead letters. */
  groupId: string;
  /** Turns the raw value into the handler's type; tolerant of unknown fields. A throw parks at once. */
  parse?: (value: unknown, headers: Record<string, string>) => T;
  handle: (message: ConsumedMessage<T>, context: HandlerContext) => Promise<void>;
  /**
   * With an inbox, the Kafka runner applies a chunk of a batch in one transaction. Given
   * this, it hands over the chunk's fresh messages at once (one multi-row statement for a
   * projection, say) instead of calling `handle` for each; a chunk that fails goes through
   * `handle` one message at a time, so both must have the same effect.
   */
  handleChunk?: (messages: ConsumedMessage<T>[], context: Required<HandlerContext>) => Promise<void>;
  /**
   * Without an inbox, when several messages of one sequence wait in a fetch or read: hands
   * them over at once, in order. Either every message's effect happens or none does (it
   * throws), and a message whose effect happened already changes nothing when handled again
   * (a command handler, idempotent by command id): after a throw, the messages go through
   * `handle` one at a time, with retries and parking, as they would have without it. A
   * command consumer decides a stream's waiting commands together and appends them in one
   * append (a flash sale's hot sku), instead of an append each, one after another.
   * Used only with `concurrentSequences` above one, where sequences are told apart.
   */
  handleTogether?: (messages: ConsumedMessage<T>[]) => Promise<void>;
  inbox?: Inbox;
  /** Transient failures are retried in place before parking (default DEFAULT_RETRY: outlasts a 30 s database failover). */
  retry?: RetryPolicy;
  /**
   * Failures that retrying cannot change (a command the aggregate refuses by its rules):
   * parked at once, as a parse failure is, instead of after the retry budget.
   */
  permanent?: (error: unknown) => boolean;
  /**
   * The key that orders the handler's effects, by which a failed message parks the
   * messages behind it and by which it is redriven; default the Kafka key. A saga
   * consuming replies keyed by sku sequences them by the instance they answer. A
   * message that fails parse has no value to read it from: it parks under its Kafka key.
   */
  sequenceBy?: (message: ConsumedMessage<T>) => string;
  /**
   * Sequences (`sequenceBy`, default the key) of one fetch or read handled at the same
   * time, each still in its own order; default 1, one message at a time. Only for a
   * handler whose effects on different sequences are independent (a command handler, a
   * stream per key; a saga, an instance per order): their appends then arrive together,
   * and the event store commits them in shared round trips. A chunk applied in one inbox
   * transaction is not split. Each sequence under way may hold a database connection: the
   * process's pools fill sooner (docs/messaging.md, "Sequences at once").
   */
  concurrentSequences?: number;
  /** Where parking, failed commits and pruning are told; a message's lines carry its correlation and trace ids. */
  logger?: Logger;
  /** With an inbox: how long processed ids are kept, and how often they are pruned (default 30 days, hourly). */
  inboxRetention?: InboxRetention;
  /**
   * How long messages may gather before they are handed over, in ms (default: none, each
   * fetch or read is handled at once). A consumer whose every chunk costs a transaction
   * of several statements (a projection's) trades up to this much more lag for chunks
   * many times larger at a steady rate: most of a small chunk's cost is its statements,
   * not its messages. On Kafka, a fetch then waits this long unless 1 MiB is ready.
   */
  gatherMs?: number;
}

export const toConsumed = (letter: DeadLetter): ConsumedMessage<unknown> => {
  let value: unknown = letter.value;
  try {
    value = letter.value === null ? null : JSON.parse(letter.value);
  } catch {
    // not JSON: the handler (or parse) gets the text
  }
  const { topic, partition, offset, key, headers } = letter;
  return { topic, partition, offset, key, messageId: letter.messageId ?? `${topic}/${partition}/${offset}`, headers, value };
};

/**
 * How often a consumer with `sequenceBy`, alone in its group, reloads the parked sequences
 * all the same: a member that left the group may still park what it was handling.
 */
export const ALONE_RELOAD_MS = 1_000;

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A delivery after parse: the handler's message, or why it could not be parsed. */
export type Parsed<T> = { message: ConsumedMessage<T> } | { error: Error };

/** One message as delivered: parsed once, and the sequence it parks and waits under. */
export interface Delivery<T> {
  letter: DeadLetter;
  parsed: Parsed<T>;
  sequence: string;
}

/**
 * Parse, retries in place, the inbox, and the sequenced dead letters (docs/architecture.md,
 * "Ordering is per key"): a message that still fails, or fails parse, is parked with
 * every later message of its sequence, while other sequences flow on. Both buses use
 * this, so a handler cannot tell which one delivers to it.
 */
export const createProcessor = <T>(
  options: ProcessingOptions<T>,
  deadLetters: DeadLetterStore | undefined,
  /** Called after a message was parked: the Kafka bus also produces it to the DLQ topic. */
  onParked: (letter: DeadLetter, error: string) => Promise<void> = async () => undefined,
) => {
  const policy = retryPolicy(options.retry);
  const { groupId } = options;

  const parseLetter = (letter: DeadLetter): Parsed<T> => {
    const raw = toConsumed(letter);
    if (!options.parse) return { message: { ...raw, value: raw.value as T } };
    try {
      return { message: { ...raw, value: options.parse(raw.value, raw.headers) } };
    } catch (error) {
      return { error: new Error(`unparsable message: ${describeError(error)}`, { cause: error }) };
    }
  };

  /** Parsed once per delivery: a parse failure is kept, not thrown, and parks under the Kafka key. */
  const deliver = (letter: DeadLetter): Delivery<T> => {
    const parsed = parseLetter(letter);
    if ('error' in parsed || !options.sequenceBy) return { letter, parsed, sequence: letter.key };
    try {
      return { letter, parsed, sequence: options.sequenceBy(parsed.message) };
    } catch (error) {
      return { letter, parsed: { error: new Error(`no sequence for the message: ${describeError(error)}`, { cause: error }) }, sequence: letter.key };
    }
  };

  const apply = (message: ConsumedMessage<T>) =>
    inMessageContext(groupId, message, async () => {
      if (!options.inbox) return options.handle(message, {});
      await options.inbox.once(groupId, message.messageId, (query) => options.handle(message, { query }));
    });

  let parked = new Set<string>();
  // Batches of several partitions run at once: a reload must keep a sequence that another
  // batch parked while the reload's query ran, or that batch would go on handling the
  // sequence's later messages. Each reload under way collects those parked meanwhile.
  const reloads = new Set<Set<string>>();

  const reloadParked = async (store: DeadLetterStore, control: DeliveryControl) => {
    const parkedMeanwhile = new Set<string>();
    reloads.add(parkedMeanwhile);
    try {
      // Retried like a message: a database failover must not stop the consumer.
      const sequences = await withRetries(policy, control, () => store.parkedKeys(groupId));
      for (const sequence of parkedMeanwhile) sequences.add(sequence);
      parked = sequences;
    } finally {
      reloads.delete(parkedMeanwhile);
    }
  };

  const redrive = async (sequence: string): Promise<RedriveResult> => {
    if (!deadLetters) throw new Error(`consumer ${groupId} has no dead-letter store to redrive from`);
    const result = await deadLetters.redrive(groupId, sequence, async (message: ParkedMessage) => {
      const parsed = parseLetter(message);
      if ('error' in parsed) throw parsed.error;
      await apply(parsed.message);
    });
    if (result.remaining === 0) parked.delete(sequence);
    return result;
  };

  const park = async (store: DeadLetterStore, { letter, sequence }: Delivery<T>, error: string, behind: boolean) => {
    await store.park(groupId, letter, error, sequence);
    parked.add(sequence);
    for (const parkedMeanwhile of reloads) parkedMeanwhile.add(sequence);
    if (!behind) options.logger?.warn({ groupId, sequence, topic: letter.topic, partition: letter.partition, offset: letter.offset, error }, 'message parked');
    await onParked(letter, error);
    // Parked behind a sequence whose messages a redrive has meanwhile applied: nothing is
    // ahead of it any more, so nothing would redrive it; it is applied now, in order.
    if (behind) {
      const [head] = await store.parkedMessages(groupId, sequence);
      if (head && head.topic === letter.topic && head.partition === letter.partition && head.offset === letter.offset) await redrive(sequence);
    }
  };

  /** A message whose sequence is parked waits behind it, in order, instead of being handled; true when it was parked. */
  const parkedBehind = async (delivery: Delivery<T>): Promise<boolean> => {
    if (!deadLetters || !parked.has(delivery.sequence)) return false;
    await park(deadLetters, delivery, `parked behind the failed message of key '${delivery.sequence}'`, true);
    return true;
  };

  /**
   * One delivery: parked behind its sequence, or handled with retries in place, parked
   * when they are spent (without dead letters: thrown). DeliveryAbandoned is thrown,
   * never parked, when the delivery stops being ours during the retries.
   */
  const handleDelivery = async (delivery: Delivery<T>, control: DeliveryControl = unattended) => {
    if (await parkedBehind(delivery)) return;
    const { parsed } = delivery;
    try {
      // A parse failure is not transient: thrown before the retries, so parked at once.
      if ('error' in parsed) throw parsed.error;
      await withRetries(policy, control, () => apply(parsed.message), options.permanent);
    } catch (error) {
      if (error instanceof DeliveryAbandoned || !deadLetters) throw error;
      const failed = 'message' in parsed ? parsed.message : toConsumed(delivery.letter);
      await inMessageContext(groupId, failed, () => park(deadLetters, delivery, describeError(error), false));
    }
  };

  // The batches of one fetch (several partitions) each ask for a reload as they start,
  // in the same turn of the event loop: one reload, started after every one of them
  // asked, serves them all. It was most of a projection's statements (one a partition a
  // fetch, against one transaction a fetch). It goes on while any of them is active, and
  // its heartbeat is each one's, so a rebalance still reaches every batch.
  let nextReload: { controls: DeliveryControl[]; done: Promise<void> } | undefined;
  const sharedReload = (store: DeadLetterStore, control: DeliveryControl): Promise<void> => {
    if (nextReload) {
      nextReload.controls.push(control);
      return nextReload.done;
    }
    const controls = [control];
    const shared: DeliveryControl = {
      heartbeat: async () => {
        await Promise.all(controls.map((each) => each.heartbeat()));
      },
      isActive: () => controls.some((each) => each.isActive()),
      ...(control.signal ? { signal: control.signal } : {}),
    };
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      nextReload = undefined;
      return reloadParked(store, shared);
    });
    nextReload = { controls, done };
    return done;
  };

  // A sequence is parked by the member handling its messages. By Kafka key (the default),
  // that is the owner of its partition, so what other members parked is new to this one
  // only after a partition moved: the runner tells of every assignment, and the next batch
  // reloads. A sequence that spans partitions (`sequenceBy`: the saga's instances, whose
  // replies come keyed by sku) may be parked by another member at any time, so such a
  // consumer reloads at every batch, unless the runner found the group to have this member
  // alone in the assignment (`alone`): then it reloads at most every ALONE_RELOAD_MS, for
  // a member that left the group may still be finishing what it was handling, and park it.
  // What another member redrove may stay in `parked`: the next message of that sequence,
  // parked behind nothing, is applied at once (park).
  let assignment = 0;
  let loadedFor: number | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  let aloneIn: number | undefined;
  const upToDate = () => {
    if (loadedFor !== assignment) return false;
    if (!options.sequenceBy) return true;
    return aloneIn === assignment && Date.now() - loadedAt < ALONE_RELOAD_MS;
  };

  return {
    /**
     * Reloads the parked sequences when those parked by another member may have changed:
     * once after each assignment, and with `sequenceBy` at every batch (alone in the group:
     * every ALONE_RELOAD_MS).
     */
    reloadParked: async (control: DeliveryControl = unattended) => {
      if (!deadLetters || upToDate()) return;
      const reloading = assignment;
      const startedAt = Date.now();
      await sharedReload(deadLetters, control);
      loadedFor = reloading;
      loadedAt = startedAt;
    },
    /** The group gave this member its partitions anew: the next batch reloads the parked sequences. Returns the assignment's number. */
    assigned: (): number => {
      assignment += 1;
      return assignment;
    },
    /** The group had this member alone in assignment `inAssignment` (a later one undoes it): no other member parks. */
    alone: (inAssignment: number) => {
      aloneIn = inAssignment;
    },
    migrate: async () => {
      await options.inbox?.migrate();
      await deadLetters?.migrate();
    },
    deliver,
    handleDelivery,
    parkedBehind,
    redrive,
  };
};

export type Processor<T> = ReturnType<typeof createProcessor<T>>;
