import type { Bus } from '@ordo/messaging';
import type { Lifecycle, Logger } from '@ordo/runtime';

/**
 * A relay or consumer that failed for good leaves the service unable to do its job:
 * it shuts down and exits 1, so its supervisor (local mode, an orchestrator) restarts
 * it and it resumes from its checkpoints.
 */
export const failOnBusFailure = (bus: Bus, logger: Logger, lifecycle: Lifecycle): void => {
  bus.failed.catch((error: unknown) => {
    logger.fatal({ err: error }, 'messaging failed; stopping');
    void lifecycle.shutdown('messaging failed').finally(() => process.exit(1));
  });
};
