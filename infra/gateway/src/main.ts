// The gateway as a process of its own: the production entry (`npm start` in this package
// after `npm run build`; its Dockerfile), its routing table from ROUTES. Local mode runs
// it from the shop's composition root instead, with the shop's table in code.
import { exitOnStartFailure, runHttpService } from '@ordo/http';
import { loadConfig } from '@ordo/runtime';
import { routesFromEnv } from './routes';
import { gatewayService } from './service';

const start = async () => {
  const { ROUTES } = loadConfig('gateway', { ROUTES: routesFromEnv() });
  return runHttpService(gatewayService({ table: ROUTES }));
};

start().catch(exitOnStartFailure);
