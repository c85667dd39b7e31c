// One service of the shop as its own process on PostgreSQL and Kafka (local and compose
// modes): `node --import tsx infra/cli/src/serve.ts <service>`. See runStandalone in @ordo/host.
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { shopService, shopServices } from './shop';

const name = process.argv[2];
if (!name) {
  console.error(`usage: serve <service>; the services are ${shopServices.map((service) => service.name).join(', ')}`);
  process.exit(2);
}
try {
  runStandalone(shopService(name)).catch(exitOnStartFailure);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
