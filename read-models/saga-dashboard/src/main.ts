// The saga dashboard as a process of its own: the production entry (`npm start` in this
// package after `npm run build`; its Dockerfile). What the shop's composition root
// (infra/cli) passes it in code comes from the environment here.
import { runStandalone } from '@ordo/host';
import { exitOnStartFailure } from '@ordo/http';
import { env, loadConfig } from '@ordo/runtime';
import { SAGA_DASHBOARD, sagaDashboardService } from './service';

const start = async () => {
  const config = loadConfig(SAGA_DASHBOARD, {
    /** The service that runs the sagas (the shop's: `sagas`). */
    SAGA_SERVICE: env.string(),
    /** Every service whose dead letters the dashboard shows; it adds itself. */
    DEAD_LETTER_SERVICES: env.list(),
  });
  const deadLetterServices = [...new Set([...config.DEAD_LETTER_SERVICES, SAGA_DASHBOARD])];
  return runStandalone(sagaDashboardService({ sagaService: config.SAGA_SERVICE, deadLetterServices }));
};

start().catch(exitOnStartFailure);
