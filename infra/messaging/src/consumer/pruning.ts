import type { Logger } from '@ordo/runtime';
import type { Inbox } from './inbox';

/**
 * How long a processed message's id is kept in the inbox. It must outlast every way a
 * message can come again: a group moved back (offsets reset, an embedded checkpoint
 * deleted) by at most this much, a message applied and then parked behind its sequence
 * after a rebalance and redriven from the dead letters, a command topic's 7 days. A
 * message that comes again after its id was pruned is applied again.
 */
export interface InboxRetention {
  /** Default 30 days. */
  retainMs?: number;
  /** How often the consumer prunes while it runs, the first time when it starts. Default 1 hour. */
  pruneEveryMs?: number;
}

export const DEFAULT_INBOX_RETENTION: Required<InboxRetention> = { retainMs: 30 * 24 * 3_600_000, pruneEveryMs: 3_600_000 };

/**
 * Prunes the consumer's inbox rows older than the retention now and then, while the
 * consumer runs: on a timer that keeps no process alive, stopped with the consumer. A
 * failed prune is logged and tried again at the next tick.
 */
export const pruneInboxPeriodically = (inbox: Inbox, groupId: string, retention: InboxRetention | undefined, logger: Logger | undefined) => {
  const { retainMs, pruneEveryMs } = { ...DEFAULT_INBOX_RETENTION, ...retention };
  if (!(retainMs > 0) || !(pruneEveryMs > 0)) throw new Error(`inboxRetention needs positive retainMs and pruneEveryMs, got ${retainMs} and ${pruneEveryMs}`);
  let running: Promise<void> | undefined;
  const prune = () => {
    running ??= inbox
      .prune(groupId, retainMs)
      .then((pruned) => {
        if (pruned > 0) logger?.info({ groupId, pruned, retainMs }, 'inbox pruned');
      })
      .catch((error: unknown) => logger?.warn({ err: error, groupId }, 'inbox pruning failed; trying again later'))
      .finally(() => {
        running = undefined;
      });
  };
  prune();
  const timer = setInterval(prune, pruneEveryMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
};
