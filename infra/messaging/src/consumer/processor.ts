import { setTimeout as sleep } from 'node:timers/promises';
import type { DeadLetter, DeadLetterStore, ParkedMessage, RedriveResult } from '../dead-letters/store';
import type { Inbox, Query } from './inbox';

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
  inbox?: Inbox;
  /** Transient failures are retried in place: attempts in all, backoff doubling from initialMs to maxMs. */
  retry?: { attempts?: number; initialMs?: number; maxMs?: number };
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

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A delivery after parse: the handler's message, or why it could not be parsed. */
export type Parsed<T> = { message: ConsumedMessage<T> } | { error: Error };

/**
 * Parse, retries in place, the inbox, and the sequenced dead letters (DESIGN.md,
 * "Ordering is per key"): a message that still fails, or fails parse, is parked with
 * every later message of its key, while other keys flow on. Both buses use this, so a
 * handler cannot tell which one delivers to it.
 */
export const createProcessor = <T>(
  options: ProcessingOptions<T>,
  deadLetters: DeadLetterStore | undefined,
  /** Called after a message was parked: the Kafka bus also produces it to the DLQ topic. */
  onParked: (letter: DeadLetter, error: string) => Promise<void> = async () => undefined,
) => {
  const attempts = options.retry?.attempts ?? 5;
  const initialMs = options.retry?.initialMs ?? 100;
  const maxMs = options.retry?.maxMs ?? 5_000;
  const { groupId } = options;

  /** parse's outcome for one delivery: a parse failure is kept, not thrown, so one delivery is parsed once. */
  const parseLetter = (letter: DeadLetter): Parsed<T> => {
    const raw = toConsumed(letter);
    if (!options.parse) return { message: { ...raw, value: raw.value as T } };
    try {
      return { message: { ...raw, value: options.parse(raw.value, raw.headers) } };
    } catch (error) {
      return { error: new Error(`unparsable message: ${describeError(error)}`, { cause: error }) };
    }
  };

  const apply = async (message: ConsumedMessage<T>) => {
    if (!options.inbox) return options.handle(message, {});
    await options.inbox.once(groupId, message.messageId, (query) => options.handle(message, { query }));
  };

  // A parse failure is not transient: it is thrown before the retries, so it is parked at once.
  const processWithRetry = async (parsed: Parsed<T>, heartbeat: () => Promise<void>) => {
    if ('error' in parsed) throw parsed.error;
    for (let attempt = 1; ; attempt++) {
      try {
        return await apply(parsed.message);
      } catch (error) {
        if (attempt >= attempts) throw error;
        await sleep(Math.min(initialMs * 2 ** (attempt - 1), maxMs));
        await heartbeat();
      }
    }
  };

  let parked = new Set<string>();
  // Batches of several partitions run at once: a reload must keep a key that another
  // batch parked while the reload's query ran, or that batch would go on handling the
  // key's later messages. Each reload under way collects the keys parked meanwhile.
  const reloads = new Set<Set<string>>();

  const reloadParked = async (store: DeadLetterStore) => {
    const parkedMeanwhile = new Set<string>();
    reloads.add(parkedMeanwhile);
    try {
      const keys = await store.parkedKeys(groupId);
      for (const key of parkedMeanwhile) keys.add(key);
      parked = keys;
    } finally {
      reloads.delete(parkedMeanwhile);
    }
  };

  const redrive = async (key: string): Promise<RedriveResult> => {
    if (!deadLetters) throw new Error(`consumer ${groupId} has no dead-letter store to redrive from`);
    const result = await deadLetters.redrive(groupId, key, async (message: ParkedMessage) => {
      const parsed = parseLetter(message);
      if ('error' in parsed) throw parsed.error;
      await apply(parsed.message);
    });
    if (result.remaining === 0) parked.delete(key);
    return result;
  };

  const park = async (store: DeadLetterStore, letter: DeadLetter, error: string, behind: boolean) => {
    await store.park(groupId, letter, error);
    parked.add(letter.key);
    for (const parkedMeanwhile of reloads) parkedMeanwhile.add(letter.key);
    await onParked(letter, error);
    // Parked behind a key whose messages a redrive has meanwhile applied: nothing is
    // ahead of it any more, so nothing would redrive it; it is applied now, in order.
    if (behind) {
      const [head] = await store.parkedMessages(groupId, letter.key);
      if (head && head.topic === letter.topic && head.partition === letter.partition && head.offset === letter.offset) await redrive(letter.key);
    }
  };

  /** A message whose key is parked waits behind it, in order, instead of being handled; true when it was parked. */
  const parkedBehind = async (letter: DeadLetter): Promise<boolean> => {
    if (!deadLetters || !parked.has(letter.key)) return false;
    await park(deadLetters, letter, `parked behind the failed message of key '${letter.key}'`, true);
    return true;
  };

  /** One message, already parsed: retries in place, the inbox, parking (or, without dead letters, the throw). */
  const handleParsed = async (letter: DeadLetter, parsed: Parsed<T>, heartbeat: () => Promise<void> = async () => undefined) => {
    if (await parkedBehind(letter)) return;
    try {
      await processWithRetry(parsed, heartbeat);
    } catch (error) {
      if (!deadLetters) throw error;
      await park(deadLetters, letter, describeError(error), false);
    }
  };

  return {
    /** Reloads the parked keys, so keys parked or redriven by another member are honoured. */
    reloadParked: async () => {
      if (deadLetters) await reloadParked(deadLetters);
    },
    migrate: async () => {
      await options.inbox?.migrate();
      await deadLetters?.migrate();
    },
    /** One message: parked behind its key, or parsed and handled as by handleParsed. */
    handle: async (letter: DeadLetter, heartbeat?: () => Promise<void>) => {
      if (!(await parkedBehind(letter))) await handleParsed(letter, parseLetter(letter), heartbeat);
    },
    handleParsed,
    parseLetter,
    parkedBehind,
    redrive,
  };
};

export type Processor<T> = ReturnType<typeof createProcessor<T>>;
