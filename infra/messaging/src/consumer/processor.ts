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

  let parked = new Set<string>();

  const redrive = async (key: string): Promise<RedriveResult> => {
    if (!deadLetters) throw new Error(`consumer ${groupId} has no dead-letter store to redrive from`);
    const result = await deadLetters.redrive(groupId, key, (message: ParkedMessage) => apply(parse(toConsumed(message))));
    if (result.remaining === 0) parked.delete(key);
    return result;
  };

  const park = async (store: DeadLetterStore, letter: DeadLetter, error: string, behind: boolean) => {
    await store.park(groupId, letter, error);
    parked.add(letter.key);
    await onParked(letter, error);
    // Parked behind a key whose messages a redrive has meanwhile applied: nothing is
    // ahead of it any more, so nothing would redrive it; it is applied now, in order.
    if (behind) {
      const [head] = await store.parkedMessages(groupId, letter.key);
      if (head && head.topic === letter.topic && head.partition === letter.partition && head.offset === letter.offset) await redrive(letter.key);
    }
  };

  return {
    /** Reloads the parked keys, so keys parked or redriven by another member are honoured. */
    reloadParked: async () => {
      if (deadLetters) parked = await deadLetters.parkedKeys(groupId);
    },
    migrate: async () => {
      await options.inbox?.migrate();
      await deadLetters?.migrate();
    },
    handle: async (letter: DeadLetter, heartbeat: () => Promise<void> = async () => undefined) => {
      if (!deadLetters) return processWithRetry(toConsumed(letter), heartbeat);
      if (parked.has(letter.key)) return park(deadLetters, letter, `parked behind the failed message of key '${letter.key}'`, true);
      try {
        await processWithRetry(toConsumed(letter), heartbeat);
      } catch (error) {
        await park(deadLetters, letter, describeError(error), false);
      }
    },
    redrive,
  };
};
