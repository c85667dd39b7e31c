import type { Checkpoint, PositionedEvent, SubscribeOptions, Subscription } from '../types';

export interface SubscriptionSource {
  readBatch(from: Checkpoint | undefined, limit: number): Promise<PositionedEvent[]>;
  /** Resolves when a live subscription may read again (readPacer); catching up is never held. */
  paced?(): Promise<void>;
  /** Calls onWake when new events may have been appended; resolves to an unlisten. */
  listen(onWake: () => void): Promise<() => Promise<void>>;
  /**
   * Where the store hands its appends over (serial commits only, store.ts): the position
   * of the last event it handed over so far, and whether an event is one the subscription
   * reads (its filter, as its reads apply it).
   */
  handOver?: { handedThrough(): bigint | undefined; wants(event: PositionedEvent): boolean };
}

/** The events one committed append statement wrote, in position order; no other event lies between first and last. */
export interface HandedOver {
  first: bigint;
  last: bigint;
  events: readonly PositionedEvent[];
}

/** A subscription the store can hand its appends to. */
export interface OfferedSubscription extends Subscription {
  /** The events of an append that committed; a subscription that does not take them is only woken. */
  offer(handed: HandedOver): void;
}

// Appends handed over and not yet taken, at most: past it, what waits is dropped and read instead.
const MAX_OFFERED = 1_000;

// Every append wakes the subscriptions: this process's at once, others' through NOTIFY
// (an event held back by an older transaction is read when that one's append wakes them).
// Between wake-ups a subscription still polls, backing off, in case a notification was
// lost; it starts at 100 ms, not faster, since under load a faster poll was most of what
// the store read and found nothing.
const FIRST_POLL_MS = 100;
const LAST_POLL_MS = 1_000;
const DEFAULT_BATCH = 500;

/** The time to the next multiple of `gatherMs` on the clock (SubscribeOptions.gatherMs). */
const untilNextGathering = (gatherMs: number) => gatherMs - (Date.now() % gatherMs);

/**
 * Catch-up, then live, in one loop: read a batch after the checkpoint, hand each event
 * to the handler in order (awaiting it, so memory holds one batch at most), and when a
 * batch comes back short, wait for a wake-up or the next poll.
 */
export const subscribe = (source: SubscriptionSource, options: SubscribeOptions): OfferedSubscription => {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let checkpoint = options.from;
  let stopped = false;
  let live = false;
  let woken = false;
  let wakeWaiter: (() => void) | undefined;
  let gatherWaiter: (() => void) | undefined;
  // Handing over. A gathering subscription reads at its gatherings instead, and takes none.
  const handOver = options.gatherMs ? undefined : source.handOver;
  const offered: HandedOver[] = [];
  let offeredEvents = 0;
  // Every event this subscription wants, up to this position, has been handed to its
  // handler: with serial commits a position is taken in commit order, so an append whose
  // first event directly follows it can be taken from memory without a read.
  let seenThrough: bigint | undefined;
  const seen = (position: bigint | undefined) => {
    if (position !== undefined && (seenThrough === undefined || position > seenThrough)) seenThrough = position;
  };
  /** The oldest append offered follows what was seen, so it can be taken without a read. */
  const offeredFollows = () => {
    const next = offered[0];
    return next !== undefined && seenThrough !== undefined && next.first <= seenThrough + 1n;
  };

  const wake = () => {
    woken = true;
    wakeWaiter?.();
  };
  /** Waits for the next gathering, or for a stop. */
  const gather = (gatherMs: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(done, untilNextGathering(gatherMs));
      function done() {
        clearTimeout(timer);
        gatherWaiter = undefined;
        resolve();
      }
      gatherWaiter = done;
    });
  const waitForWake = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped || offered.length > 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeWaiter = undefined;
        resolve();
      }
      wakeWaiter = done;
    });

  const run = async () => {
    const unlisten = await source.listen(wake);
    try {
      let pollMs = FIRST_POLL_MS;
      while (!stopped) {
        // Handed over: the appends that follow what was seen, from memory. A wake of any
        // other kind (an append not handed over, a poll) reads as before.
        if (handOver && live && !woken && offeredFollows()) {
          while (offeredFollows()) {
            const { events, last } = offered.shift() as HandedOver;
            offeredEvents -= events.length;
            for (const event of events) {
              if (stopped) return;
              // Those at or before what was seen came in a read already.
              if (event.position <= (seenThrough as bigint) || !handOver.wants(event)) continue;
              await options.handler(event);
              checkpoint = event.checkpoint;
            }
            seen(last);
          }
          await waitForWake(FIRST_POLL_MS);
          continue;
        }
        if (live) await source.paced?.();
        woken = false;
        // Every append handed over before the read is sent committed before it runs.
        const handedBefore = handOver?.handedThrough();
        const batch = await source.readBatch(checkpoint, batchSize);
        for (const event of batch) {
          if (stopped) return;
          await options.handler(event);
          checkpoint = event.checkpoint;
        }
        seen(batch[batch.length - 1]?.position);
        if (batch.length === batchSize) continue;
        // Not full: it held every wanted event committed before it ran. (Positions start
        // at 1, so with nothing handed over yet, and nothing read, 0 is what was seen.)
        seen(handedBefore ?? 0n);
        if (!live) {
          live = true;
          options.onLive?.();
        }
        pollMs = batch.length > 0 ? FIRST_POLL_MS : Math.min(pollMs * 2, LAST_POLL_MS);
        await waitForWake(pollMs);
        // A full batch reads on at once (above): only a caught-up subscription gathers.
        if (options.gatherMs) await gather(options.gatherMs);
      }
    } finally {
      await unlisten();
    }
  };
  const done = run();

  return {
    offer: (handed) => {
      if (!handOver || !live) return wake();
      offered.push(handed);
      offeredEvents += handed.events.length;
      // A subscription far behind its offers (its handler slow) reads them back instead.
      if (offeredEvents > MAX_OFFERED) {
        offered.length = 0;
        offeredEvents = 0;
        return wake();
      }
      wakeWaiter?.();
    },
    get checkpoint() {
      return checkpoint;
    },
    get isLive() {
      return live;
    },
    done,
    stop: async () => {
      stopped = true;
      wake();
      gatherWaiter?.();
      await done.catch(() => undefined);
    },
  };
};
