/**
 * Progress saved beside the work, not in it: a consumer's Kafka offsets and a relay's
 * checkpoint. Work done only asks for a commit; one commit runs at a time, taking
 * everything done until it starts, and a commit starts at most every `everyMs`. While
 * messages trickle in, each batch is a message or two, and a commit after each was a
 * write per message (to the broker's offsets, or a checkpoint row), for nothing more than
 * less to do again after a crash: at least once, and the inbox and command ids take a
 * repeat without a second effect.
 *
 * Consumers. kafkajs's auto-commit sends a commit after every batch and fetches again
 * only once the group coordinator answered: while messages trickle in, that round trip
 * is most of a message's way from producer to handler (about 20 ms in the benchmark, 4
 * without it). Where the next owner of a partition starts from the commit, it is made
 * before going on, as kafkajs does: when stopping, when the group rebalances (a
 * heartbeat says so), and when a batch fails. A background commit that fails (the group
 * moved on) is told to onFailure and let go: its messages are delivered again.
 *
 * Relays (publisher.ts). The next batch is sent without waiting for the last one's
 * checkpoint; a relay that stops saves its last checkpoint before it lets go of the lock.
 */
export const COMMIT_EVERY_MS = 200;

export const backgroundCommits = (onFailure: (error: unknown) => void, { everyMs = COMMIT_EVERY_MS }: { everyMs?: number } = {}) => {
  let latest: (() => Promise<void>) | undefined;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastStartedAt = Number.NEGATIVE_INFINITY;

  const start = () => {
    clearTimeout(timer);
    timer = undefined;
    const commit = latest;
    latest = undefined;
    lastStartedAt = Date.now();
    // Inside an async function, so a commit that throws at once is told like one that rejects.
    running = (async () => commit?.())()
      .catch(onFailure)
      .finally(() => {
        running = undefined;
        // Asked for while this one ran: the next goes once its time has come.
        if (latest) schedule();
      });
  };

  function schedule() {
    if (running || timer) return;
    const wait = lastStartedAt + everyMs - Date.now();
    if (wait <= 0) start();
    else timer = setTimeout(start, wait);
  }

  return {
    /** Commits soon, with `commit` (the latest batch's: it commits all the member has resolved). */
    request: (commit: () => Promise<void>) => {
      latest = commit;
      schedule();
    },
    /** Commits now, after the commit under way: what follows depends on it. A commit waiting for its time is made by this one. */
    now: async (commit: () => Promise<void>) => {
      clearTimeout(timer);
      timer = undefined;
      latest = undefined;
      await running;
      lastStartedAt = Date.now();
      await commit();
    },
    /** Makes the commit waiting for its time at once, if any, and waits until none is under way. */
    settled: async () => {
      while (running || latest) {
        if (!running) start();
        await running;
      }
    },
  };
};
