import {
  ConfigError,
  StartRefused,
  env as variables,
  createLifecycle,
  createLogger,
  createMetrics,
  loadConfig,
  serviceConfigShape,
  startTracing,
  type Lifecycle,
  type Logger,
  type ServiceMetrics,
  type Tracer,
} from '@ordo/runtime';
import type { z } from 'zod';
import { createHttpServer, type HttpServer, type HttpServerOptions } from './server';
import { DEFAULT_LOAD_SHEDDING } from './plugins/load-shedding';
import type { ApiDescription } from './plugins/openapi';

/** The chassis's own variables, beside the ones every service reads. */
export const httpConfigShape = {
  ...serviceConfigShape,
  /** Requests one client (token subject, else address) may make per window; health checks are exempt. */
  RATE_LIMIT_MAX: variables.int().min(1, 'expected at least 1').default(600),
  RATE_LIMIT_WINDOW_MS: variables.int().min(1, 'expected at least 1').default(60_000),
  /** Past its capacity the service refuses new requests (503, Retry-After): while its event loop lags more than this, in ms (a mean over a second)… */
  SHED_EVENT_LOOP_DELAY_MS: variables.int().min(1, 'expected at least 1').default(DEFAULT_LOAD_SHEDDING.maxEventLoopDelayMs),
  /** …or while it is answering this many requests. */
  SHED_MAX_IN_FLIGHT: variables.int().min(1, 'expected at least 1').default(DEFAULT_LOAD_SHEDDING.maxInFlight),
  /** …or while more than this many statements wait for its database's one connection (embedded mode's PGlite). */
  SHED_MAX_DATABASE_WAITING: variables.int().min(1, 'expected at least 1').default(DEFAULT_LOAD_SHEDDING.maxDatabaseWaiting),
  /** …and routes that start work (an order placed), a share growing to all at twice this, while the work it accepted took longer than this to settle, in ms (the median of the last second). */
  SHED_MAX_SETTLE_DELAY_MS: variables.int().min(1, 'expected at least 1').default(DEFAULT_LOAD_SHEDDING.maxSettleDelayMs),
  /**
   * Addresses (or CIDR ranges) of proxies whose X-Forwarded-For names the client: the
   * gateway's. Unset, none is trusted and a client is the address it connects from.
   */
  TRUST_PROXY: variables.list().optional(),
};

type ServiceConfig<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<typeof httpConfigShape>> & z.infer<z.ZodObject<Shape>>;

/** What a service's setup gets: its configuration and the shared parts, already built. */
export interface Chassis<Config> {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  tracer: Tracer;
  /** Register what to close on shutdown here; the HTTP server is closed first. */
  lifecycle: Lifecycle;
}

export interface HttpServiceDefinition<Shape extends z.ZodRawShape> {
  name: string;
  api: ApiDescription;
  /** The service's own variables; PORT, HOST, LOG_LEVEL, OTEL_*, SHUTDOWN_TIMEOUT_MS, RATE_LIMIT_* come with it. */
  config: Shape;
  setup(chassis: Chassis<ServiceConfig<Shape>>): Promise<ServiceParts>;
}

/** Identity, so the configuration's types are inferred from the shape. */
export const defineHttpService = <Shape extends z.ZodRawShape>(definition: HttpServiceDefinition<Shape>): HttpServiceDefinition<Shape> => definition;

/** What a service's setup hands the chassis; `authTokens` is required, possibly empty. */
export type ServiceParts = Pick<
  HttpServerOptions,
  'readinessChecks' | 'authTokens' | 'idempotency' | 'errorMappings' | 'bodyLimit' | 'openApi' | 'databaseWaiting' | 'settleDelayMs'
> & {
  routes(app: HttpServer): void | Promise<void>;
};

export interface RunningHttpService {
  app: HttpServer;
  lifecycle: Lifecycle;
  url: string;
}

/**
 * Starts a service the one way every Ordo service starts: configuration read once
 * (a bad variable stops it with one message), logger, tracing, metrics, the HTTP
 * server, readiness, and graceful shutdown on SIGTERM/SIGINT.
 */
export const runHttpService = async <Shape extends z.ZodRawShape>(
  definition: HttpServiceDefinition<Shape>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningHttpService> => {
  // Checked whole first, so one message names every bad variable; then read in two typed halves.
  loadConfig(definition.name, { ...httpConfigShape, ...definition.config }, env);
  const base = loadConfig(definition.name, httpConfigShape, env);
  const config: ServiceConfig<Shape> = { ...base, ...loadConfig(definition.name, definition.config, env) };
  const logger = createLogger({ service: definition.name, level: base.LOG_LEVEL });
  const tracing = startTracing(definition.name, base.OTEL_EXPORTER_OTLP_ENDPOINT);
  const metrics = createMetrics(definition.name);
  const lifecycle = createLifecycle({ logger, shutdownTimeoutMs: base.SHUTDOWN_TIMEOUT_MS });
  lifecycle.onShutdown('tracing', () => tracing.shutdown());
  lifecycle.exitOnSignals();

  try {
    const { routes, ...parts } = await definition.setup({ config, logger, metrics, tracer: tracing.tracer, lifecycle });
    const rateLimit = { max: base.RATE_LIMIT_MAX, windowMs: base.RATE_LIMIT_WINDOW_MS };
    const app = await createHttpServer({
      service: definition.name,
      api: definition.api,
      logger,
      metrics,
      tracer: tracing.tracer,
      lifecycle,
      rateLimit,
      loadShedding: {
        maxEventLoopDelayMs: base.SHED_EVENT_LOOP_DELAY_MS,
        maxInFlight: base.SHED_MAX_IN_FLIGHT,
        maxDatabaseWaiting: base.SHED_MAX_DATABASE_WAITING,
        maxSettleDelayMs: base.SHED_MAX_SETTLE_DELAY_MS,
      },
      ...(base.TRUST_PROXY?.length ? { trustProxy: base.TRUST_PROXY } : {}),
      ...parts,
    });
    await routes(app);
    lifecycle.onShutdown('http server', () => app.close());
    const url = await app.listen({ port: base.PORT, host: base.HOST });
    lifecycle.markReady();
    logger.info({ url, docs: `${url}/docs` }, `${definition.name} ready`);
    return { app, lifecycle, url };
  } catch (error) {
    // A start that fails half-way (a busy port, a locked data folder) closes what setup
    // opened: a database left open by a dying process can be left unopenable.
    await lifecycle.shutdown('start failed').catch(() => undefined);
    throw error;
  }
};

/** For a service's main: a configuration error prints its one message; anything else its stack. Exit 1. */
export const exitOnStartFailure = (error: unknown): never => {
  const portTaken = (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
  if (portTaken) console.error(`${(error as Error).message}: another process listens there (PORT moves this one)`);
  else console.error(error instanceof ConfigError || error instanceof StartRefused ? error.message : error);
  process.exit(1);
};
