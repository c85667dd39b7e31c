import { authTokensFromEnv, defineHttpService } from '@ordo/http';
import { env } from '@ordo/runtime';
import { fetchDocuments, mergeDocuments } from './openapi';
import { proxyRoutes } from './proxy';
import { tableErrors, type GatewayRoute } from './routes';

export interface GatewayOptions {
  /** The routing table: which service answers which paths. */
  table: readonly GatewayRoute[];
}

/**
 * The gateway (docs/gateway.md): the one public entry, on the service chassis, so it has
 * the same health, metrics, logs, traces, body limit and per-client rate limit as every
 * service. Its routes go to the services named in UPSTREAM_URLS.
 */
export const gatewayService = ({ table }: GatewayOptions) =>
  defineHttpService({
    name: 'gateway',
    api: { title: 'Ordo', version: '1.0.0', description: 'Every service of the shop, through its gateway.' },
    config: {
      // `orders=http://127.0.0.1:3003,...`: every service the table names; a name given twice, replicas.
      UPSTREAM_URLS: env.namedUrls().superRefine((urls, context) => {
        for (const error of tableErrors(table, new Set(urls.keys()))) context.addIssue({ code: 'custom', message: error });
      }),
      /** How long a service may take to answer before the gateway answers 504. */
      UPSTREAM_TIMEOUT_MS: env.int().min(1, 'expected at least 1').default(10_000),
      /** Largest request body the gateway takes; larger is 413 before any service sees it. */
      BODY_LIMIT_BYTES: env.int().min(1, 'expected at least 1').default(1_048_576),
      /** How long the start waits for the services' API documents for /docs. */
      DOCS_WAIT_MS: env.int().min(0, 'expected 0 or more').default(30_000),
      // Tokens only tell one client from another for the rate limit: each service checks them itself.
      AUTH_TOKENS: authTokensFromEnv().default(new Map()),
    },
    setup: async ({ config, logger }) => {
      // Replicas serve the same document: the first of each answers for them all.
      const firstReplicas = new Map([...config.UPSTREAM_URLS].map(([service, urls]) => [service, urls[0] as string]));
      const documents = await fetchDocuments(firstReplicas, logger, config.DOCS_WAIT_MS);
      return {
        authTokens: config.AUTH_TOKENS,
        bodyLimit: config.BODY_LIMIT_BYTES,
        openApi: (own) => mergeDocuments(own, table, documents),
        routes: proxyRoutes({ table, upstreams: config.UPSTREAM_URLS, timeoutMs: config.UPSTREAM_TIMEOUT_MS }),
      };
    },
  });
