/**
 * Under load, every append wakes each subscription on the store, and each woken
 * subscription reads: at 50 orders a second the saga's store alone was read about eight
 * times an order. The pacer lets the reads of live subscriptions go together, and after a
 * burst of reads waits for a gap that follows the load: twice as long as the burst took,
 * between `minGapMs` (the driver's: 0 on PGlite, 5 ms on a server every process shares) and
 * `maxGapMs`. Those released together ask in one turn, so those at the same checkpoint share
 * one query (sharedReads), and each read takes every append of the gap. On an idle PGlite a
 * burst takes a fraction of a millisecond and reads go almost at once; on a busy one its
 * statements queue, the burst takes longer, and reads are spaced out to let the appends
 * through. A fixed gap of 5 ms cost an idle embedded shop latency at every hop, and spaced
 * a busy one's reads too little (docs/decisions.md). A read after a quiet spell goes at once.
 */
export interface ReadPacer {
  /** Resolves when a live subscription may read. */
  paced(): Promise<void>;
  /** Runs one of the store's subscription reads, timing the burst it belongs to. */
  read<T>(read: () => Promise<T>): Promise<T>;
}

export interface ReadPacerOptions {
  /** The gap after a burst of reads, as a multiple of how long it took. Default 2. */
  factor?: number;
  /** The shortest gap after a burst, however short it was. Default 0. */
  minGapMs?: number;
  /** The longest gap. Default 10 ms. */
  maxGapMs?: number;
}

export const readPacer = ({ factor = 2, minGapMs = 0, maxGapMs = 10 }: ReadPacerOptions = {}): ReadPacer => {
  let lastRelease = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  // A burst: the time some read of the store was running, without a break.
  let reading = 0;
  let burstStart = 0;
  let lastBurstMs = 0;

  return {
    paced: () => {
      if (pending) return pending;
      const gap = Math.max(minGapMs, Math.min(maxGapMs, factor * lastBurstMs));
      const wait = Math.max(0, lastRelease + gap - performance.now());
      pending = new Promise<void>((resolve) => {
        const release = () => {
          pending = undefined;
          lastRelease = performance.now();
          resolve();
        };
        if (wait === 0) process.nextTick(release);
        else setTimeout(release, wait);
      });
      return pending;
    },
    read: async (read) => {
      if (reading === 0) burstStart = performance.now();
      reading += 1;
      try {
        return await read();
      } finally {
        reading -= 1;
        if (reading === 0) lastBurstMs = performance.now() - burstStart;
      }
    },
  };
};
