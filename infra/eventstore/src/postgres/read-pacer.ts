/**
 * Under load, every append wakes each subscription on the store, and each woken
 * subscription reads: at 50 orders a second the saga's store alone was read about eight
 * times an order. The pacer lets the reads of live subscriptions go at most once per gap,
 * all together: those released together ask in one turn, so those at the same checkpoint
 * share one query (sharedReads), and each read takes every append of the gap. An idle store
 * is read at once, as before; a busy one adds at most the gap to a delivery.
 */
export const readPacer = (gapMs: number) => {
  let lastRelease = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  return (): Promise<void> => {
    if (pending) return pending;
    const wait = Math.max(0, lastRelease + gapMs - Date.now());
    pending = new Promise<void>((resolve) => {
      const release = () => {
        pending = undefined;
        lastRelease = Date.now();
        resolve();
      };
      if (wait === 0) process.nextTick(release);
      else setTimeout(release, wait);
    });
    return pending;
  };
};
