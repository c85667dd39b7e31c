// What each process of the shop is given (local mode's supervisor, and what compose's
// environment entries must match, docs/deploying.md): its port, database, brokers,
// tokens and peers, and what its own entry reads that the composition root otherwise
// passes in code (the dashboard's services, the gateway's table).
import { schemaOf } from '@ordo/host';
import { SAGA_DASHBOARD } from '@ordo/saga-dashboard';
import { shopRoutes } from './gateway-routes';
import { dashboardOptions, shopService } from './shop';

export interface ShopWiring {
  /** Where each service listens, by name: one URL per replica. */
  urls: ReadonlyMap<string, readonly string[]>;
  brokers: readonly string[];
  /** Every process's AUTH_TOKENS. */
  authTokens: string;
  /** The token the services call each other with. */
  serviceToken: string;
}

/** `name=url` entries; a service with replicas is named once per replica, and they take turns. */
const entries = (urls: ReadonlyMap<string, readonly string[]>) => [...urls].flatMap(([name, each]) => each.map((url) => `${name}=${url}`)).join(',');

/** A service's variables: its database is its own (DATABASE_URL, with its own role). */
export const serviceEnvironment = (name: string, port: number, databaseUrl: string, wiring: ShopWiring): Record<string, string> => ({
  PORT: String(port),
  DATABASE_URL: databaseUrl,
  DATABASE_SCHEMA: schemaOf(shopService(name)),
  KAFKA_BROKERS: wiring.brokers.join(','),
  AUTH_TOKENS: wiring.authTokens,
  PEER_URLS: entries(wiring.urls),
  SERVICE_TOKEN: wiring.serviceToken,
  // The gateway, on this machine, says who its clients are (their rate limits are theirs).
  TRUST_PROXY: '127.0.0.1',
  ...(name === SAGA_DASHBOARD && {
    SAGA_SERVICE: dashboardOptions.sagaService,
    DEAD_LETTER_SERVICES: dashboardOptions.deadLetterServices.join(','),
  }),
});

/** The gateway's variables: the services it routes to, and its table (read from ROUTES by its own entry). */
export const gatewayEnvironment = (port: number, wiring: ShopWiring): Record<string, string> => ({
  PORT: String(port),
  UPSTREAM_URLS: entries(wiring.urls),
  ROUTES: JSON.stringify(shopRoutes),
  AUTH_TOKENS: wiring.authTokens,
  // Its /docs merges the services' documents, read once they answer.
  DOCS_WAIT_MS: '300000',
});
