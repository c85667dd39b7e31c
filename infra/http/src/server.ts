import { randomUUID } from 'node:crypto';
import type { Lifecycle, Logger, ServiceMetrics, Tracer } from '@ordo/runtime';
import Fastify, { LogController, type FastifyInstance, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { idempotencyPlugin } from './idempotency/plugin';
import type { IdempotencyStore } from './idempotency/store';
import { authPlugin, type Principal } from './plugins/auth';
import { healthPlugin, type ReadinessCheck } from './plugins/health';
import { metricsPlugin } from './plugins/metrics';
import { openApiPlugin, type ApiDescription } from './plugins/openapi';
import { workContextPlugin } from './plugins/work-context';
import { NotFound, PROBLEM_CONTENT_TYPE, toProblem, type ErrorMapping } from './problem';

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
  /** Bearer tokens; routes switch auth on with `config: { auth: { roles } }`. */
  authTokens?: ReadonlyMap<string, Principal>;
  /** Stores first answers of POSTs that carry an Idempotency-Key. */
  idempotency?: IdempotencyStore;
  /** Errors the service owns (domain rules, revision conflicts) and their HTTP status. */
  errorMappings?: ErrorMapping[];
  /** Largest request body in bytes; larger is 413. Default 1 MiB. */
  bodyLimit?: number;
}

/**
 * The one way an Ordo service serves HTTP: zod schemas for input (strict) and output,
 * problem+json for every error, and the health, metrics, docs, auth and idempotency
 * every service shares. Register routes on the returned instance, then `listen`.
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
    requestTimeout: 30_000,
    // The id lives in the work context, which puts it on every line; not as a binding too.
    childLoggerFactory: (logger) => logger,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    const problem = { ...toProblem(error, request, options.errorMappings), instance: request.url };
    if (problem.status >= 500) request.log.error({ err: error, correlationId: request.id }, 'request failed');
    return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler((request) => {
    throw new NotFound(`no route for ${request.method} ${request.url.split('?')[0]}`);
  });

  await app.register(workContextPlugin, { tracer: options.tracer });
  if (options.authTokens) await app.register(authPlugin, { tokens: options.authTokens });
  await app.register(metricsPlugin, { metrics: options.metrics });
  await app.register(healthPlugin, { checks: options.readinessChecks ?? {}, lifecycle: options.lifecycle });
  await app.register(openApiPlugin, { api: options.api });
  if (options.idempotency) {
    await options.idempotency.migrate();
    await app.register(idempotencyPlugin, { service: options.service, store: options.idempotency });
  }

  // A response finished during shutdown closes its keep-alive connection; otherwise
  // the server would wait for the client to drop it and shutdown would time out.
  app.addHook('onSend', async (_request, reply, payload) => {
    const state = options.lifecycle?.state;
    if (state === 'stopping' || state === 'stopped') reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { correlationId: request.id, method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
  return app;
};
