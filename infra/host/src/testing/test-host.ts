import type { AddressInfo } from 'node:net';
import type { EventSchemaRegistry, EventStore } from '@ordo/eventstore';
import { createHttpServer, type HttpServer, type Principal } from '@ordo/http';
import { embeddedHub, sqlDeadLetterStore, type Bus, type EmbeddedHub } from '@ordo/messaging';
import { createLogger, createMetrics, startTracing, type ServiceMetrics, type TransactionalSql } from '@ordo/runtime';
import { createModule, knownPeers, publishService, schemaOf, startService, type ServiceDefinition, type ServiceModule } from '../module';
import { closeInReverse } from './closers';
import { openTestDatabase, type TestDatabaseKind } from './database';
import { deadLetterRoutes } from '../dead-letter-routes';

// Every context's and saga's int spec mounts its service the same way; this is that
// set-up once. It mounts one service as runEmbedded does (stand-ins published before
// the service publishes and starts), minus config, data folder, idempotency and signals.
// Its stores and tables live on the test run's PostgreSQL server, or in one in-memory
// PGlite (database.ts).

export interface TestHostOptions<S extends string = never> {
  /** The service under test, with its store as every host opens it (its schema, prefixes and registry). */
  service: ServiceDefinition;
  /** Other contexts' stores, by name (also their schema), each with the registry its appends are validated against. */
  standIns?: S[] | Record<S, { registry?: EventSchemaRegistry }>;
  /** Default: the wall clock. */
  clock?: () => Date;
  /** Callers without a token act as customers, as in embedded mode. Default false. */
  anonymousCustomers?: boolean;
  /**
   * Where the stores and tables live: `postgres`, the test run's PostgreSQL server (a schema
   * per store, prefixed for this host and dropped on close), or `pglite`, an in-memory
   * PGlite, as embedded mode runs. Default `postgres`.
   */
  database?: TestDatabaseKind;
  /** The base URLs of other services this one calls, by name (other test hosts; read on every call), and the token it calls them with. */
  peers?: { urls: Record<string, string>; token?: string };
  /** Bearer tokens the server knows, by token. Default none: only public routes answer. */
  authTokens?: ReadonlyMap<string, Principal>;
}

export interface TestHost<S extends string = never> {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  server: HttpServer;
  module: ServiceModule;
  /** The service's store; reading it throws for a service without one (a read model). */
  store: EventStore;
  standIns: Record<S, EventStore>;
  /** A bus of the hub in schema `stand_ins`, on which the stand-ins are published; for their own consumers. */
  standInBus: Bus;
  /** The service's bus (its schema). */
  bus: Bus;
  hub: EmbeddedHub;
  sql: TransactionalSql;
  /** The service's metrics registry, as /metrics serves it. */
  metrics: ServiceMetrics;
  /** The service's schema (its tables, its inbox, its dead letters): its name, prefixed on PostgreSQL. */
  schema: string;
  /** Stops the server, the buses, the stores and the database, in that order, even where one of them fails. */
  close(): Promise<void>;
}

export const startTestHost = async <S extends string = never>(options: TestHostOptions<S>): Promise<TestHost<S>> => {
  const { service, clock = () => new Date(), anonymousCustomers = false, authTokens = new Map() } = options;
  const closers: (() => Promise<unknown>)[] = [];
  const close = () => closeInReverse(closers, 'the test host');

  try {
    const database = await openTestDatabase(options.database ?? 'postgres', closers);
    const { sql, openStore } = database;
    const name = service.name;
    const schema = database.schemaFor(schemaOf(service));
    const store = service.store && (await openStore(schema, service.store));
    const given = options.standIns ?? [];
    const standInRegistries: Record<string, { registry?: EventSchemaRegistry }> = Array.isArray(given)
      ? Object.fromEntries(given.map((standIn) => [standIn, {}]))
      : given;
    const standIns: Record<string, EventStore> = {};
    for (const [standIn, { registry: validatedBy }] of Object.entries(standInRegistries))
      standIns[standIn] = await openStore(database.schemaFor(standIn), { registry: validatedBy });

    const hub = embeddedHub();
    const bus = hub.busFor({ sql, schema });
    const standInBus = hub.busFor({ sql, schema: database.schemaFor('stand_ins') });
    closers.push(
      () => bus.close(),
      () => standInBus.close(),
    );
    const logger = createLogger({ service: name, level: 'silent' });
    const metrics = createMetrics(name, { processMetrics: false });
    // Read on every call, so a spec can point a peer elsewhere (a dead port) and back.
    const peers = knownPeers((peer) => options.peers?.urls[peer], options.peers?.token);
    const eventSources = { stores: Object.entries(standIns).map(([standIn, standInStore]) => ({ name: standIn, store: standInStore })) };
    const module = await createModule(service, { bus, sql, schema, logger, clock, anonymousCustomers, metrics, peers, eventSources }, store);
    // Every source is published before any consumer starts, as runEmbedded does.
    for (const [standIn, standInStore] of Object.entries(standIns)) await standInBus.publish(standIn, standInStore);
    await publishService(service, store, bus);
    const running = await startService(module, bus);
    closers.push(() => running.stop());

    const server = await createHttpServer({
      service: name,
      api: service.api,
      logger,
      metrics,
      tracer: startTracing(name).tracer,
      authTokens,
      errorMappings: module.errorMappings,
      ...(module.settleDelayMs ? { settleDelayMs: module.settleDelayMs } : {}),
    });
    closers.push(() => server.close());
    await module.routes(server);
    deadLetterRoutes([{ consumers: running.consumers, deadLetters: sqlDeadLetterStore(sql, { schema }) }])(server);
    await server.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return {
      url,
      server,
      module,
      get store() {
        if (!store) throw new Error(`service ${name} has no store`);
        return store;
      },
      standIns: standIns as Record<S, EventStore>,
      standInBus,
      bus,
      hub,
      sql,
      schema,
      metrics,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
};
