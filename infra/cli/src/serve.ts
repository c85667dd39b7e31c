// One service of the shop as its own process on PostgreSQL and Kafka (local mode, from the
// sources), or the gateway in front of them: `node --import tsx infra/cli/src/serve.ts
// <service | gateway>`. See runStandalone in @ordo/host, gatewayService in @ordo/gateway.
// The production build runs each service's own entry instead, <package>/dist/main.js
// (--production, the Dockerfiles; docs/deploying.md).
import { gatewayService } from '@ordo/gateway';
import { exitOnStartFailure, runHttpService } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { shopRoutes } from './gateway-routes';
import { GATEWAY, shopService, shopServices } from './shop';

const name = process.argv[2];
if (!name) {
  console.error(`usage: serve <service>; the services are ${GATEWAY}, ${shopServices.map((service) => service.name).join(', ')}`);
  process.exit(2);
}
try {
  (name === GATEWAY ? runHttpService(gatewayService({ table: shopRoutes })) : runStandalone(shopService(name))).catch(exitOnStartFailure);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
