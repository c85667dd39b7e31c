import { randomUUID } from 'node:crypto';
import type { Lifecycle, Logger, ServiceMetrics, Tracer } from '@ordo/runtime';
import Fastify, { LogController, type FastifyInstance, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { idempotencyPlugin } from './idempotency/plugin';
import type { IdempotencyStore } from './idempotency/store';
import { jsonBodyPlugin } from './body/json-body';
import { authPlugin, callerIdentifier, refuseUndeclaredAccess, tokenIdentifier, type Principal } from './plugins/auth';
import { browserSessionPlugin } from './plugins/browser-session';
import { clientErrorHandler, expectationFailed, frameworkErrors, MethodNotAllowed, routeMethodRegistry } from './plugins/framework-errors';
import { healthPlugin, type ReadinessCheck } from './plugins/health';
import { DEFAULT_LOAD_SHEDDING, loadSheddingPlugin, Overloaded, type LoadSheddingOptions } from './plugins/load-shedding';
import { metricsPlugin } from './plugins/metrics';
import { openApiPlugin, type ApiDescription, type OpenApiDocumentHook } from './plugins/openapi';
import { DEFAULT_RATE_LIMIT, isServiceSubject, rateLimitPlugin, type RateLimitOptions } from './plugins/rate-limit';
import { securityHeadersPlugin } from './plugins/security-headers';
import { workContextPlugin } from './plugins/work-context';
import { ReadModelBehind } from './read-after';
import { BadRequest, NotFound, PROBLEM_CONTENT_TYPE, toProblem, type ErrorMapping } from './problem';
import { DependencyUnavailable } from './client/service-client';

export type HttpServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger, ZodTypeProvider>;

export interface HttpServerOptions {
  service: string;
  api: ApiDescription;
  logger: Logger;
  metrics: ServiceMetrics;
  tracer: Tracer;
  /** Readiness follows it: 503 until ready and from the start of shutdown. */
  lifecycle?: Lifecycle;
  readinessChecks?: Record<string, ReadinessCheck>;
  /**
   * Bearer tokens by token. Every route declares `config: { access }`; with no tokens,
   * every route that is not public refuses.
   */
  authTokens: ReadonlyMap<string, Principal>;
  /** Requests per client and window; default 600 per minute. */
  rateLimit?: RateLimitOptions;
  /** Stores first answers of POSTs that carry an Idempotency-Key. */
  idempotency?: IdempotencyStore;
  /** How often expired idempotency keys are deleted while the server runs. Default 10 minutes. */
  idempotencyPurgeEveryMs?: number;
  /** Errors the service owns (domain rules, revision conflicts) and their HTTP status. */
  errorMappings?: ErrorMapping[];
  /** Largest request body in bytes; larger is 413. Default 1 MiB. */
  bodyLimit?: number;
  /** Changes the generated OpenAPI document before it is served. */
  openApi?: OpenApiDocumentHook;
  /** When the service refuses new work as past its capacity (503 with Retry-After); default DEFAULT_LOAD_SHEDDING. */
  loadShedding?: Partial<LoadSheddingOptions>;
  /** How many statements wait for the service's database now, where it can tell (embedded mode's PGlite): a sign of overload. */
  databaseWaiting?: () => number;
  /** How long the work the service accepted took to settle, where it can tell (settle-delays.ts): a sign of overload for routes that start work. */
  settleDelayMs?: () => number | undefined;
  /** Proxies whose X-Forwarded-For is believed (fastify's trustProxy): the client's address is then the one it names. */
  trustProxy?: string[];
}

/**
 * The one way an Ordo service serves HTTP: zod schemas for input (strict) and output,
 * problem+json for every error, and the health, metrics, docs, auth, rate limits,
 * security headers and idempotency every service shares. Register routes on the
 * returned instance, each with `config: { access }`, then `listen`.
 */
export const createHttpServer = async (options: HttpServerOptions): Promise<HttpServer> => {
  const app = Fastify({
    loggerInstance: options.logger,
    // One completion line per request (below) says more than fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers['x-correlation-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: options.bodyLimit ?? 1_048_576,
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    requestTimeout: 30_000,
    // The id lives in the work context, which puts it on every line; not as a binding too.
    childLoggerFactory: (logger) => logger,
    clientErrorHandler,
    frameworkErrors,
    // Node would answer a missing Host with a bare 400; the hook below answers it as problem+json.
    http: { requireHostHeader: false },
  }).withTypeProvider<ZodTypeProvider>();
  app.server.on('checkExpectation', expectationFailed);
  const routeMethods = routeMethodRegistry();
  app.addHook('onRoute', (route) => routeMethods.add(route));

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    const problem = { ...toProblem(error, request, options.errorMappings), instance: request.url };
    if (error instanceof DependencyUnavailable) {
      // Expected while a dependency is down; a client may try again once its circuit half-opens.
      request.log.warn({ err: error, correlationId: request.id }, 'a dependency is unavailable');
      reply.header('retry-after', '5');
    } else if (error instanceof Overloaded) {
      // Not logged one by one: past its capacity, a service should not spend more on each refusal.
      reply.header('retry-after', String(error.retryAfterSeconds));
    } else if (error instanceof ReadModelBehind) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    } else if (problem.status >= 500) request.log.error({ err: error, correlationId: request.id }, 'request failed');
    return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routeMethods.allowedAt(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      throw new MethodNotAllowed(request.method, allowed);
    }
    throw new NotFound(`no route for ${request.method} ${path}`);
  });

  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && !request.headers.host) throw new BadRequest('an HTTP/1.1 request must carry a Host header');
  });

  const identifyToken = tokenIdentifier(options.authTokens);
  const identify = callerIdentifier(identifyToken);
  // First: past its capacity, a request is refused before anything is spent on it.
  await app.register(loadSheddingPlugin, {
    ...DEFAULT_LOAD_SHEDDING,
    ...options.loadShedding,
    ...(options.databaseWaiting ? { databaseWaiting: options.databaseWaiting } : {}),
    ...(options.settleDelayMs ? { settleDelayMs: options.settleDelayMs } : {}),
    // Identified as the rate limit and auth do; an invalid token is no service's, and auth refuses it later.
    fromService: (request) => {
      try {
        const principal = identify(request)?.principal;
        return principal !== undefined && isServiceSubject(principal.subject);
      } catch {
        return false;
      }
    },
  });
  await app.register(jsonBodyPlugin);
  await app.register(workContextPlugin, { tracer: options.tracer });
  await app.register(securityHeadersPlugin);
  // Before rate limits and auth: its cookies are parsed by the time they identify the caller.
  await app.register(browserSessionPlugin, { identifyToken });
  await app.register(rateLimitPlugin, { limit: options.rateLimit ?? DEFAULT_RATE_LIMIT, identify });
  await app.register(authPlugin, { identify });
  await app.register(metricsPlugin, { metrics: options.metrics });
  await app.register(healthPlugin, { checks: options.readinessChecks ?? {}, lifecycle: options.lifecycle });
  await app.register(openApiPlugin, { api: options.api, ...(options.openApi ? { finish: options.openApi } : {}) });
  if (options.idempotency) {
    await options.idempotency.migrate();
    await app.register(idempotencyPlugin, { service: options.service, store: options.idempotency, purgeEveryMs: options.idempotencyPurgeEveryMs ?? 600_000 });
  }
  // Every route from here on is the service's: each must say who may call it.
  app.addHook('onRoute', refuseUndeclaredAccess);

  // A response finished during shutdown closes its keep-alive connection; otherwise
  // the server would wait for the client to drop it and shutdown would time out.
  app.addHook('onSend', async (_request, reply, payload) => {
    const state = options.lifecycle?.state;
    if (state === 'stopping' || state === 'stopped') reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        correlationId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });
  return app;
};
