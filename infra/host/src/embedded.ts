import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createEventStore, openSharedPglite, type EventStore } from '@ordo/eventstore';
import {
  authTokensFromEnv,
  defineHttpService,
  type Principal,
  runHttpService,
  sqlIdempotencyStore,
  type ErrorMapping,
  type RunningHttpService,
} from '@ordo/http';
import { embeddedHub, sqlDeadLetterStore, type Bus } from '@ordo/messaging';
import { env, pgliteSql } from '@ordo/runtime';
import { createModule, publishService, schemaOf, startService, type Peers, type ServiceDefinition, type ServiceModule } from './module';
import { lockDataFolder } from './data-lock';
import { localTokens } from './local-tokens';
import { failOnBusFailure, stopOnFailure } from './failure';
import { deadLetterRoutes, type MountedConsumers } from './dead-letter-routes';

/** Who a service calling another inside the embedded process is. */
const EMBEDDED_SERVICE: Principal = { subject: 'service:embedded', roles: ['viewer'] };

/** The token the first embedded start creates, kept in ORDO_DATA_DIR: guarded routes are never open. */
export const EMBEDDED_OPERATOR = { subject: 'operator', role: 'operator' } as const;

export interface EmbeddedOptions {
  /** The process's name in logs and OpenAPI. */
  name: string;
  /** The services it mounts: each one's store and tables in its own schema. */
  services: readonly ServiceDefinition[];
}

/**
 * Embedded mode (docs/architecture.md, "The three ways it runs"): every module in one process on
 * one port, each context's store a schema of one PGlite database under ORDO_DATA_DIR
 * (kept across restarts), the embedded bus in place of Kafka. Services publish first,
 * then start, so every consumer sees every store.
 */
export const runEmbedded = (options: EmbeddedOptions, environment: NodeJS.ProcessEnv = process.env): Promise<RunningHttpService> => {
  // Services call each other through the process's own port, with a token made for this run.
  let ownUrl: string | undefined;
  const serviceToken = randomBytes(24).toString('base64url');
  const peers: Peers = {
    urlOf: () => {
      if (!ownUrl) throw new Error('the embedded server is not listening yet');
      return ownUrl;
    },
    token: serviceToken,
  };
  return runHttpService(
    defineHttpService({
      name: options.name,
      api: { title: 'Ordo (embedded)', version: '1.0.0', description: `Mounted: ${options.services.map((service) => service.name).join(', ')}` },
      config: {
        ORDO_DATA_DIR: env.string().default('.ordo'),
        // Tokens besides the operator token the first start creates under ORDO_DATA_DIR.
        AUTH_TOKENS: authTokensFromEnv().optional(),
      },
      setup: async ({ config, logger, metrics, lifecycle }) => {
        // Taken before anything opens the folder, released last (closers run in reverse).
        const lock = lockDataFolder(config.ORDO_DATA_DIR);
        lifecycle.onShutdown('data folder lock', () => lock.release());
        const generated = authTokensFromEnv().parse(localTokens(config.ORDO_DATA_DIR, [EMBEDDED_OPERATOR]).authTokens);
        const folder = path.resolve(config.ORDO_DATA_DIR, 'pglite');
        fs.mkdirSync(folder, { recursive: true });
        // Held for the process's life, so the stores and the services' tables share one database.
        const shared = await openSharedPglite(folder);
        lifecycle.onShutdown('pglite', () => shared.release());
        const sql = pgliteSql(shared.db);
        const hub = embeddedHub();

        const stores = new Map<string, EventStore>();
        for (const service of options.services) {
          if (!service.store) continue;
          const store = await createEventStore(`pglite://${folder}`, {
            schema: schemaOf(service),
            ...service.store,
            logger: logger.child({ module: service.name }),
          });
          lifecycle.onShutdown(`${service.name} store`, () => store.close());
          stores.set(service.name, store);
        }
        // Consumers read every store: every bus stops before any store closes.
        const mounted: { module: ServiceModule; bus: Bus }[] = [];
        lifecycle.onShutdown('bus', () => Promise.all(mounted.map(({ bus }) => bus.close())));
        for (const service of options.services) {
          const schema = schemaOf(service);
          const moduleLogger = logger.child({ module: service.name });
          const store = stores.get(service.name);
          const bus = hub.busFor({ sql, schema });
          failOnBusFailure(bus, moduleLogger, lifecycle);
          const eventSources = { stores: [...stores].map(([name, store]) => ({ name, store })) };
          const ports = { bus, sql, schema, logger: moduleLogger, clock: () => new Date(), anonymousCustomers: true, metrics, peers, eventSources };
          mounted.push({ module: await createModule(service, ports, store), bus });
          // Every service publishes before any consumer starts: a consumer reads the sources published so far.
          await publishService(service, store, bus);
        }
        const consumers: MountedConsumers[] = [];
        for (const [index, { module, bus }] of mounted.entries()) {
          const running = await startService(module, bus);
          // mounted follows options.services: a service's dead letters are in its schema.
          const schema = schemaOf(options.services[index] as ServiceDefinition);
          consumers.push({ consumers: running.consumers, deadLetters: sqlDeadLetterStore(sql, { schema }) });
          // Registered after the bus, so its workers stop before the bus closes.
          lifecycle.onShutdown('workers', () => running.stop());
          stopOnFailure(running.failed, 'a worker', logger, lifecycle);
        }
        const modules = mounted.map(({ module }) => module);

        return {
          routes: async (app) => {
            for (const module of modules) await module.routes(app);
            deadLetterRoutes(consumers)(app);
          },
          errorMappings: modules.flatMap((module): ErrorMapping[] => module.errorMappings ?? []),
          idempotency: sqlIdempotencyStore(sql, { schema: 'ordo_http' }),
          readinessChecks: { pglite: () => sql.query('select 1') },
          // Its one thread is the shop's limit: the queue there is the whole order path's backlog.
          // Not the work's settling (module.settleDelayMs), which local mode sheds on: this
          // queue shows the backlog as it builds, and with both it refused more at 100
          // orders/s for no better p99 (docs/decisions.md).
          ...(shared.db.waiting ? { databaseWaiting: shared.db.waiting } : {}),
          authTokens: new Map([...generated, ...(config.AUTH_TOKENS ?? []), [serviceToken, EMBEDDED_SERVICE]]),
        };
      },
    }),
    environment,
  ).then((running) => {
    ownUrl = running.url;
    return running;
  });
};
