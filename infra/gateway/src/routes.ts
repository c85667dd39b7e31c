// The gateway's routing table: which service answers which paths (docs/gateway.md). One
// entry a path prefix and its methods; a prefix may be split by method between services,
// as the shop's /v1/orders is: commands to orders, reads to the orders view.
import { z } from 'zod';

/** The methods a route may name. HEAD follows GET: fastify answers it wherever GET is routed. */
export const ROUTED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type RoutedMethod = (typeof ROUTED_METHODS)[number];

export interface GatewayRoute {
  /** `/v1/orders`: the prefix itself and every path under it (`/v1/orders/…`), not `/v1/orders-x`. */
  prefix: string;
  /** The service that answers, by its name in the gateway's upstreams. */
  service: string;
  /** Default: every routed method. Two entries of one prefix split its methods between them. */
  methods?: readonly RoutedMethod[];
}

const PREFIX = /^(\/[a-z0-9][a-z0-9-]*)+$/;

/** The methods an entry routes. */
export const methodsOf = (route: GatewayRoute): readonly RoutedMethod[] => route.methods ?? ROUTED_METHODS;

/** Every mistake in a table, as sentences; none when it is sound. */
export const tableErrors = (table: readonly GatewayRoute[], services: ReadonlySet<string>): string[] => {
  const errors: string[] = [];
  const claimed = new Map<string, string>();
  for (const route of table) {
    if (!PREFIX.test(route.prefix)) errors.push(`'${route.prefix}' is not a path prefix like /v1/orders (lower case, no trailing slash)`);
    if (!services.has(route.service)) errors.push(`${route.prefix} goes to '${route.service}', which has no upstream URL`);
    if (route.methods?.length === 0) errors.push(`${route.prefix} (${route.service}) names no method`);
    for (const method of methodsOf(route)) {
      const key = `${method} ${route.prefix}`;
      const owner = claimed.get(key);
      if (owner) errors.push(`${key} goes to both ${owner} and ${route.service}`);
      claimed.set(key, route.service);
    }
  }
  return errors;
};

/** The entry a request goes by: its method's entry with the longest prefix the path falls under. */
export const routeFor = (table: readonly GatewayRoute[], method: string, path: string): GatewayRoute | undefined => {
  const routed = method === 'HEAD' ? 'GET' : method;
  let found: GatewayRoute | undefined;
  for (const route of table) {
    const under = path === route.prefix || path.startsWith(`${route.prefix}/`);
    if (under && methodsOf(route).includes(routed as RoutedMethod) && route.prefix.length > (found?.prefix.length ?? -1)) found = route;
  }
  return found;
};

const routeShape = z.object({
  prefix: z.string({ error: 'every entry needs a prefix (a string, like "/v1/orders")' }),
  service: z.string({ error: 'every entry needs a service (the name of one in UPSTREAM_URLS)' }),
  methods: z.array(z.enum(ROUTED_METHODS, { error: `methods are among ${ROUTED_METHODS.join(', ')}` })).optional(),
});

/**
 * The table as an environment variable (`ROUTES`, the gateway's own process: its
 * Dockerfile, compose): a JSON array of entries, `[{"prefix":"/v1/products","service":"catalog"}, …]`.
 * The services it names are checked against UPSTREAM_URLS when the gateway starts.
 */
export const routesFromEnv = () =>
  z
    .string({ error: 'expected a JSON array of {prefix, service, methods?} entries' })
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'expected a JSON array of {prefix, service, methods?} entries, not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(routeShape).min(1, 'expected at least one route'));
