import type { Bus } from '@ordo/messaging';
import type { Lifecycle, Logger } from '@ordo/runtime';

/**
 * A relay, consumer or worker that failed for good leaves the service unable to do its
 * job: it shuts down and exits 1, so its supervisor (local mode, an orchestrator) restarts
 * it and it resumes from its checkpoints.
 */
export const stopOnFailure = (failed: Promise<never>, what: string, logger: Logger, lifecycle: Lifecycle): void => {
  failed.catch((error: unknown) => {
    logger.fatal({ err: error }, `${what} failed; stopping`);
    void lifecycle.shutdown(`${what} failed`).finally(() => process.exit(1));
  });
};

export const failOnBusFailure = (bus: Bus, logger: Logger, lifecycle: Lifecycle): void => stopOnFailure(bus.failed, 'messaging', logger, lifecycle);
