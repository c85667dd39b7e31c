// How long the work a service accepts takes to settle: for orders, from an order placed to
// the saga's confirmation or rejection of it. It is the sign of a backlog on the whole
// path behind a request (docs/service-chassis.md, "Load shedding"). In local mode that
// backlog builds in other processes' consumers, which neither the accepting service's
// event loop nor its requests in flight see.

/** The span over which settled work counts: the median delay of the last second. */
export const SETTLE_WINDOW_MS = 1_000;

/** Fewer settled within the window say nothing: one slow order (a cold start, a retry) is no backlog. */
export const MIN_SETTLED = 5;

// The window is kept as buckets of delays, so old ones leave it a bucket at a time.
const BUCKETS = 4;
const BUCKET_MS = SETTLE_WINDOW_MS / BUCKETS;

export interface SettleDelays {
  /** Work accepted at `acceptedAt` settled at `settledAt`, both by the service's clock. */
  settled(acceptedAt: Date, settledAt: Date): void;
  /** The median delay of the work settled within the last SETTLE_WINDOW_MS, in ms; undefined if fewer than MIN_SETTLED settled. */
  medianMs(): number | undefined;
}

/**
 * The median settle delay of the last second. Not the shortest, as CoDel reads one queue:
 * the order path is many queues side by side (a topic's partitions, each its consumer's),
 * and the orders of the partitions that kept up stayed quick while the rest waited
 * seconds. Not a high percentile either: one slow piece of work (a retry, a payment that
 * took long) should not refuse new work. `now` only places a delay in its window.
 */
export const settleDelays = (now: () => number = Date.now): SettleDelays => {
  // Each bucket's delays, by its index since the epoch.
  const buckets = new Map<number, number[]>();
  const bucketOf = (at: number) => Math.floor(at / BUCKET_MS);
  return {
    settled: (acceptedAt, settledAt) => {
      const bucket = bucketOf(now());
      const delays = buckets.get(bucket);
      const delay = Math.max(0, settledAt.getTime() - acceptedAt.getTime());
      if (delays) delays.push(delay);
      else buckets.set(bucket, [delay]);
      for (const older of buckets.keys()) if (older <= bucket - BUCKETS) buckets.delete(older);
    },
    medianMs: () => {
      const current = bucketOf(now());
      const window: number[] = [];
      for (const [bucket, delays] of buckets) if (bucket > current - BUCKETS) window.push(...delays);
      if (window.length < MIN_SETTLED) return undefined;
      return window.sort((a, b) => a - b)[Math.floor(window.length / 2)];
    },
  };
};
