/** A message with the time its partition gives it (Kafka's timestamp, in ms). */
export interface Timed<M> {
  message: M;
  timestamp: number;
}

/**
 * Partitions read in step, in time: what a feed fetched waits here until every partition
 * still being read has been fetched to at least its time, then goes on. Kafka fetches a
 * partition by bytes, not by time, so a topic with fewer or smaller events an order runs
 * ahead: a rebuild then met an order's later events long after its row had left the fill's
 * cache, wrote each row two or three times and loaded most back (docs/decisions.md,
 * "Rebuild speed").
 *
 * A partition holding `bound` messages or more is `full`: the feed stops fetching it until
 * it has drained to half of that. The partition furthest behind in time always drains
 * whole on `take`, so a read never waits on itself.
 */
export const inStep = <M>(bound: number) => {
  const queues = new Map<string, Timed<M>[]>();
  /** The latest time fetched in each partition: a partition's times may go back a little. */
  const latest = new Map<string, number>();

  return {
    /** A message without a time (not a finite number) goes as soon as it is first in its partition. */
    push: (key: string, messages: Timed<M>[]) => {
      if (messages.length === 0) return;
      const queue = queues.get(key) ?? [];
      let time = latest.get(key) ?? -Infinity;
      for (const timed of messages) {
        // The queue keeps the caller's objects (one a message: a rebuild pushes millions).
        if (!Number.isFinite(timed.timestamp)) timed.timestamp = -Infinity;
        queue.push(timed);
        if (timed.timestamp > time) time = timed.timestamp;
      }
      queues.set(key, queue);
      latest.set(key, time);
    },
    full: (key: string) => (queues.get(key)?.length ?? 0) >= bound,
    drained: (key: string) => (queues.get(key)?.length ?? 0) <= bound / 2,
    /**
     * The messages no later than the earliest of the latest times of the partitions still
     * being read (`reading`), in order per partition; those of a partition never fetched
     * yet count as the earliest of all. With no partition being read, everything.
     */
    take: (reading: Iterable<string>): M[] => {
      let horizon = Infinity;
      for (const key of reading) horizon = Math.min(horizon, latest.get(key) ?? -Infinity);
      const taken: M[] = [];
      for (const [key, queue] of queues) {
        let end = 0;
        while (end < queue.length && (queue[end] as Timed<M>).timestamp <= horizon) end++;
        if (end === 0) continue;
        for (let index = 0; index < end; index++) taken.push((queue[index] as Timed<M>).message);
        if (end === queue.length) queues.delete(key);
        else queues.set(key, queue.slice(end));
      }
      return taken;
    },
    /** Messages waiting, in every partition. */
    get size() {
      let size = 0;
      for (const queue of queues.values()) size += queue.length;
      return size;
    },
  };
};
