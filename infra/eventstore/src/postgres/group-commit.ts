/**
 * A group commit: appends that arrive while the store's round trips are all in flight
 * wait, and go together in the next one, one transaction and one commit for all of them.
 * Each keeps its own expected revision and its own result, and a conflict fails only its
 * own append (`many` answers each). A lone writer does not wait for others: with a round
 * trip free, its append goes at once, in a round trip of its own (through `one`, or `many`
 * with `loneThroughMany`). A round trip's place frees a turn of the event loop after it
 * answers, so that the writers it answered, appending again, go together.
 *
 * When a shared round trip fails as a whole (another process took a revision one of them
 * wanted, an event PostgreSQL refuses, a lost connection), nothing of it was written, and
 * each of its appends is tried again alone, in arrival order, to get its own answer.
 */
export interface GroupCommitOptions<Item, Result> {
  /** Round trips in flight at once; appends arriving meanwhile wait for the next. */
  maxInFlight: number;
  /** The most appends in one round trip. */
  maxItems: number;
  /** The most characters of payload in one round trip; an append larger than this goes alone. */
  maxChars: number;
  sizeOf(item: Item): number;
  /** One append in its own round trip; its errors are its caller's. */
  one(item: Item): Promise<Result>;
  /** Several in one transaction, an answer each: a result, or the error of that append alone. */
  many(items: readonly Item[]): Promise<Array<Result | Error>>;
  /**
   * Whether a lone append goes through `many` too (and through `one` only if that fails as
   * a whole), asked for each: when `many` does something `one` does not, such as return
   * what it inserted for a store's subscriptions to be handed.
   */
  loneThroughMany?: () => boolean;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export type GroupCommit<Item, Result> = (item: Item) => Promise<Result>;

export const groupCommit = <Item, Result>(options: GroupCommitOptions<Item, Result>): GroupCommit<Item, Result> => {
  const { maxInFlight, maxItems, maxChars, sizeOf, one, many, loneThroughMany = () => false } = options;
  const waiting: Array<Waiting<Item, Result>> = [];
  let inFlight = 0;

  /** The oldest waiting appends that fit in one round trip: at least one. */
  const nextBatch = (): Array<Waiting<Item, Result>> => {
    let [count, chars] = [0, 0];
    for (; count < waiting.length && count < maxItems; count++) {
      chars += sizeOf((waiting[count] as Waiting<Item, Result>).item);
      if (count > 0 && chars > maxChars) break;
    }
    return waiting.splice(0, count);
  };

  const alone = async (entry: Waiting<Item, Result>) => {
    try {
      entry.resolve(await one(entry.item));
    } catch (error) {
      entry.reject(error);
    }
  };

  const together = async (batch: Array<Waiting<Item, Result>>) => {
    let answers: Array<Result | Error>;
    try {
      answers = await many(batch.map((entry) => entry.item));
    } catch {
      for (const entry of batch) await alone(entry);
      return;
    }
    batch.forEach((entry, index) => {
      const answer = answers[index] as Result | Error;
      if (answer instanceof Error) entry.reject(answer);
      else entry.resolve(answer);
    });
  };

  const drain = () => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = nextBatch();
      inFlight += 1;
      void (batch.length === 1 && !loneThroughMany() ? alone(batch[0] as Waiting<Item, Result>) : together(batch)).finally(() =>
        // The round trip's slot frees a turn of the event loop later, not at once: the
        // writers it answered append again within this turn, and their appends should wait
        // and go together, not the first of them alone and the rest behind it.
        setImmediate(() => {
          inFlight -= 1;
          drain();
        }),
      );
    }
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      drain();
    });
};
