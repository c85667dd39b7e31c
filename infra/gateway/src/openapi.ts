import type { Logger } from '@ordo/runtime';
import { routeFor, type GatewayRoute } from './routes';

// The gateway's /docs: its own document (health, metrics) with the paths of every service
// that the routing table sends to it, read from the services' /docs/json at the gateway's start.

type Document = Record<string, unknown> & { paths?: Record<string, Record<string, unknown>>; components?: Record<string, Record<string, unknown>> };

const OPERATIONS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Each service's OpenAPI document, asked for until `waitMs` has passed; one that never answers is left out, and said so. */
export const fetchDocuments = async (upstreams: ReadonlyMap<string, string>, logger: Logger, waitMs: number): Promise<Map<string, Document>> => {
  const deadline = Date.now() + waitMs;
  const documents = new Map<string, Document>();
  await Promise.all(
    [...upstreams].map(async ([service, url]) => {
      for (;;) {
        const document = await fetch(`${url}/docs/json`, { signal: AbortSignal.timeout(2_000) })
          .then((response) => (response.ok ? (response.json() as Promise<Document>) : undefined))
          .catch(() => undefined);
        if (document) return void documents.set(service, document);
        if (Date.now() >= deadline) return logger.warn({ service, url }, `${service}'s API document could not be read: /docs leaves its paths out`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }),
  );
  return documents;
};

/** OpenAPI's `/v1/orders/{id}` as a path to route: the prefixes are literal, so a parameter matches as itself. */
const routedBy = (table: readonly GatewayRoute[], method: string, path: string) => routeFor(table, method.toUpperCase(), path)?.service;

/**
 * The gateway's document with each service's operations that the table routes to that
 * service; the services' shared paths (health, metrics, dead letters) are theirs alone
 * and stay out. The services' named schemas are kept by name (the shop's are inline, so
 * none clash; a name two services used would keep the last one's).
 */
export const mergeDocuments = (own: Document, table: readonly GatewayRoute[], documents: ReadonlyMap<string, Document>): Document => {
  const paths: Record<string, Record<string, unknown>> = { ...own.paths };
  const schemas: Record<string, unknown> = { ...own.components?.schemas };
  for (const [service, document] of documents) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item)) {
        if (!OPERATIONS.has(method) || routedBy(table, method, path) !== service) continue;
        paths[path] = { ...paths[path], [method]: { ...(operation as object), tags: [service] } };
      }
    }
    Object.assign(schemas, document.components?.schemas);
  }
  return { ...own, paths, components: { ...own.components, ...(Object.keys(schemas).length > 0 ? { schemas } : {}) } };
};
