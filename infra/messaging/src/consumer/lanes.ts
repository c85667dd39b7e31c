/** What a lane does with each item, and what it is told between them. */
export interface LaneSteps<Item> {
  /** Handles one item; false when the batch stopped being ours, and nothing more is to be taken. */
  handle(item: Item): Promise<boolean>;
  /** The longest run of items from the first that are all handled grew: it now ends at `last`. */
  handledUpTo(last: Item): void;
  /** Between items (a heartbeat): a throw stops every lane, as a failed item does. */
  between(): Promise<void>;
  /**
   * Handles a sequence's items at once, when more than one waits: 'handled' when all of
   * them were, 'one by one' when none was and each is to be handled in turn, 'stopped' as
   * `handle`'s false. Without it, each item is handled in turn.
   */
  together?(items: Item[]): Promise<'handled' | 'one by one' | 'stopped'>;
}

/**
 * Runs items a sequence per lane: each sequence's items in their order, at most `width`
 * sequences at once, a lane taking the next waiting sequence once it finishes one. Items
 * of different sequences may finish in any order, so what is done is told only as the
 * longest run from the first (a Kafka offset resolves every message before it).
 *
 * With a width of one, the items go one at a time in their given order.
 *
 * A stop (`handle` answers false) or a throw ends every lane before its next item; those
 * under way finish first, so nothing is still running when this returns. Resolves true
 * when every item was handled, false after a stop, and rethrows the first error.
 */
export const inLanes = async <Item>(items: readonly Item[], sequenceOf: (item: Item) => string, width: number, steps: LaneSteps<Item>): Promise<boolean> => {
  const sequences = new Map<string, number[]>();
  items.forEach((item, index) => {
    // One lane takes the items as they came, whatever their sequences.
    const key = width > 1 ? sequenceOf(item) : '';
    const indexes = sequences.get(key);
    if (indexes) indexes.push(index);
    else sequences.set(key, [index]);
  });
  const waiting = [...sequences.values()];
  const handled: boolean[] = items.map(() => false);
  let handledRun = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;

  const markHandled = (index: number) => {
    handled[index] = true;
    const before = handledRun;
    while (handledRun < items.length && handled[handledRun]) handledRun += 1;
    if (handledRun > before) steps.handledUpTo(items[handledRun - 1] as Item);
  };

  /** The sequence's items handled at once: true when they were, false when they are still to be handled one by one. */
  const handledTogether = async (sequence: number[]): Promise<boolean> => {
    // With one lane, a 'sequence' is every item, whatever its own: never together.
    if (!steps.together || width < 2 || sequence.length < 2) return false;
    const outcome = await steps.together(sequence.map((index) => items[index] as Item));
    if (outcome === 'stopped') stopped = true;
    if (outcome !== 'handled') return stopped;
    for (const index of sequence) markHandled(index);
    await steps.between();
    return true;
  };

  const lane = async () => {
    for (let sequence = waiting.shift(); sequence && !stopped; sequence = waiting.shift()) {
      try {
        if (await handledTogether(sequence)) continue;
      } catch (error) {
        stopped = true;
        failure ??= { error };
        return;
      }
      for (const index of sequence) {
        if (stopped) return;
        try {
          if (!(await steps.handle(items[index] as Item))) {
            stopped = true;
            return;
          }
          markHandled(index);
          await steps.between();
        } catch (error) {
          stopped = true;
          failure ??= { error };
          return;
        }
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, waiting.length)) }, lane));
  if (failure) throw failure.error;
  return !stopped;
};
