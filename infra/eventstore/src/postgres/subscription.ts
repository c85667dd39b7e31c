import type { Checkpoint, PositionedEvent, SubscribeOptions, Subscription } from '../types';

export interface SubscriptionSource {
  readBatch(from: Checkpoint | undefined, limit: number): Promise<PositionedEvent[]>;
  /** Resolves when a live subscription may read again (readPacer); catching up is never held. */
  paced?(): Promise<void>;
  /** Calls onWake when new events may have been appended; resolves to an unlisten. */
  listen(onWake: () => void): Promise<() => Promise<void>>;
  /** Where the store hands its appends over (store.ts, "Handing over"). */
  handOver?: {
    /** An event's place in the order reads return events in: the later, the greater. */
    keyOf(event: PositionedEvent): bigint;
    /**
     * With serial commits only: the key of the last event handed over so far. A read sent
     * after it was handed over returns it (it committed before the read ran).
     */
    handedThrough?(): bigint | undefined;
    /** Whether an event is one the subscription reads (its filter, as its reads apply it). */
    wants(event: PositionedEvent): boolean;
  };
}

/** The events one committed append statement wrote, in reading order (keys as `keyOf` gives them). */
export interface HandedOver {
  /**
   * The key of the last event before these in the reading order: no other event lies, or
   * will ever lie, between it and the first of these. Undefined while that cannot be known
   * (an older transaction was still running): then only a read can pass them on.
   */
  after: bigint | undefined;
  /** The key of the last of these. */
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
  // Whether an append was offered since the last read was sent: that read may have missed it.
  let offeredSinceRead = false;
  // Every event this subscription wants, up to this key in the reading order, has been
  // handed to its handler: an append that directly follows it can be taken from memory.
  let seenThrough: bigint | undefined;
  const seen = (key: bigint | undefined) => {
    if (key !== undefined && (seenThrough === undefined || key > seenThrough)) seenThrough = key;
  };
  /** The oldest append offered follows what was seen, so it can be taken without a read. */
  const offeredFollows = () => {
    // Those a read has passed on already are dropped.
    while (offered[0] && seenThrough !== undefined && offered[0].last <= seenThrough) offeredEvents -= (offered.shift() as HandedOver).events.length;
    const next = offered[0];
    return next?.after !== undefined && seenThrough !== undefined && next.after <= seenThrough;
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
      // An offer that does not follow, and came since the last read was sent, calls for a read.
      if (woken || stopped || offeredFollows() || (offered.length > 0 && offeredSinceRead)) return resolve();
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
              if (handOver.keyOf(event) <= (seenThrough as bigint) || !handOver.wants(event)) continue;
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
        offeredSinceRead = false;
        // With serial commits, every append handed over before the read is sent committed before it runs.
        const handedBefore = handOver?.handedThrough?.();
        const batch = await source.readBatch(checkpoint, batchSize);
        for (const event of batch) {
          if (stopped) return;
          await options.handler(event);
          checkpoint = event.checkpoint;
        }
        const lastRead = batch[batch.length - 1];
        if (handOver && lastRead) seen(handOver.keyOf(lastRead));
        if (batch.length === batchSize) continue;
        // Not full: it held every wanted event committed before it ran (and, with concurrent
        // commits, older than every transaction still running). Keys start above 0, so with
        // nothing handed over yet, and nothing read, 0 is what was seen.
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
      offeredSinceRead = true;
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
