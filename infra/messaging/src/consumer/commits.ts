/**
 * Offsets committed beside the fetch loop, not in it. kafkajs's auto-commit sends a
 * commit after every batch and fetches again only once the group coordinator answered:
 * while messages trickle in, that round trip is most of a message's way from producer
 * to handler (about 20 ms in the benchmark, 4 without it). Here a batch's end only asks
 * for a commit; one commit runs at a time, taking everything resolved until it starts.
 *
 * Where the next owner of a partition starts from the commit, it is made before going
 * on, as kafkajs does: when stopping, when the group rebalances (a heartbeat says so),
 * and when a batch fails. A background commit that fails (the group moved on) is told to
 * onFailure and let go: its messages are delivered again, at least once, and the inbox
 * skips them.
 */
export const backgroundCommits = (onFailure: (error: unknown) => void) => {
  let latest: (() => Promise<void>) | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const run = async () => {
    try {
      do {
        again = false;
        await latest?.().catch(onFailure);
      } while (again);
    } finally {
      running = undefined;
    }
  };

  return {
    /** Commits soon, with `commit` (the latest batch's: it commits all the member has resolved). */
    request: (commit: () => Promise<void>) => {
      latest = commit;
      if (running) again = true;
      else running = run();
    },
    /** Commits now, after the commit under way: what follows depends on it. */
    now: async (commit: () => Promise<void>) => {
      await running;
      await commit();
    },
    /** Waits for the commit under way, if any. */
    settled: async () => {
      await running;
    },
  };
};
