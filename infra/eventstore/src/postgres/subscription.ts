import type { Checkpoint, PositionedEvent, SubscribeOptions, Subscription } from '../types';

export interface SubscriptionSource {
  readBatch(from: Checkpoint | undefined, limit: number): Promise<PositionedEvent[]>;
  /** Resolves when a live subscription may read again (readPacer); catching up is never held. */
  paced?(): Promise<void>;
  /** Calls onWake when new events may have been appended; resolves to an unlisten. */
  listen(onWake: () => void): Promise<() => Promise<void>>;
}

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
export const subscribe = (source: SubscriptionSource, options: SubscribeOptions): Subscription => {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  let checkpoint = options.from;
  let stopped = false;
  let live = false;
  let woken = false;
  let wakeWaiter: (() => void) | undefined;
  let gatherWaiter: (() => void) | undefined;

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
      if (woken || stopped) return resolve();
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
        if (live) await source.paced?.();
        woken = false;
        const batch = await source.readBatch(checkpoint, batchSize);
        for (const event of batch) {
          if (stopped) return;
          await options.handler(event);
          checkpoint = event.checkpoint;
        }
        if (batch.length === batchSize) continue;
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
