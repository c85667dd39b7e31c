import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { z } from 'zod';
import { createEventStore } from '@ordo/eventstore';
import { authTokensFromEnv, defineHttpService, runHttpService, sqlIdempotencyStore, type RunningHttpService } from '@ordo/http';
import { KAFKA_CLIENTS, kafkaBus, kafkaClientNamed, sqlDeadLetterStore } from '@ordo/messaging';
import { env, pgPoolSql, POOL_IDLE_CONNECTION_MS, roundRobin } from '@ordo/runtime';
import { createModule, knownPeers, publishService, schemaOf, startService, type ServiceDefinition } from './module';
import { failOnBusFailure, stopOnFailure } from './failure';
import { deadLetterRoutes } from './dead-letter-routes';
import { connectionShares, MIN_DATABASE_CONNECTIONS } from './connections';

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Local and compose modes: one service, its own process, on PostgreSQL (its schema)
 * and Kafka. The event store is PostgreSQL too unless EVENTSTORE_URL names another
 * (`esdb://…`); either way it holds only the service's stream prefixes (EventStoreDB
 * holds every context's streams in one database) and refuses an event its contract does
 * not describe.
 */
export const runStandalone = (service: ServiceDefinition, environment: NodeJS.ProcessEnv = process.env): Promise<RunningHttpService> =>
  runHttpService(
    defineHttpService({
      name: service.name,
      api: service.api,
      config: {
        DATABASE_URL: env.url(['postgres', 'postgresql']).default(LOCAL_POSTGRES),
        DATABASE_SCHEMA: env
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/, 'expected a lowercase SQL identifier')
          .default(schemaOf(service)),
        EVENTSTORE_URL: env.url(['postgres', 'postgresql', 'esdb', 'kurrentdb']).optional(),
        /** PostgreSQL connections this process may hold, its pool's and its event store's together (connections.ts); unset, the pools' defaults. */
        DATABASE_CONNECTIONS: env
          .int()
          .min(
            MIN_DATABASE_CONNECTIONS,
            `expected at least ${MIN_DATABASE_CONNECTIONS}: two for the service's pool (the relay's lock keeps one), one for its event store's and one for the store's LISTEN`,
          )
          .optional(),
        KAFKA_BROKERS: env.list().default(['127.0.0.1:9092']),
        /** The client the relay and the consumer groups run on (docs/messaging.md, "The Kafka client"). */
        KAFKA_CLIENT: z.enum(KAFKA_CLIENTS).default('kafkajs'),
        // No default: a service on its own refuses to start rather than run with nothing guarded.
        // `customers=http://127.0.0.1:3005,...`: where the services this one calls listen.
        PEER_URLS: env
          .namedUrls()
          .default(new Map())
          .refine((urls) => (service.calls ?? []).every((peer) => urls.has(peer)), `needs the URL of ${(service.calls ?? []).join(', ')}`),
        /** The token this service calls the others with. */
        SERVICE_TOKEN: z.string().min(1).optional(),
        AUTH_TOKENS: z
          .string({ error: 'required: the bearer tokens this service admits (subject:token:role entries)' })
          .pipe(authTokensFromEnv())
          .refine((tokens) => tokens.size > 0, 'at least one subject:token:role entry'),
      },
      setup: async ({ config, logger, metrics, lifecycle }) => {
        const schema = config.DATABASE_SCHEMA;
        const storeUrl = config.EVENTSTORE_URL ?? config.DATABASE_URL;
        const connections = connectionShares(config.DATABASE_CONNECTIONS, Boolean(service.store) && /^postgres(ql)?:/.test(storeUrl));
        const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: connections.service, idleTimeoutMillis: POOL_IDLE_CONNECTION_MS });
        lifecycle.onShutdown('postgres', () => pool.end());
        // An idle connection the server drops (a failover, a restart) is replaced by the
        // pool; unheard, its error would crash the service.
        pool.on('error', (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection failed; the pool replaces it'));
        const store = service.store && (await createEventStore(storeUrl, { schema, ...service.store, logger, maxConnections: connections.store }));
        if (store) lifecycle.onShutdown('event store', () => store.close());
        const kafka = new Kafka({ clientId: `ordo-${service.name}`, brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
        const sql = pgPoolSql(pool);
        const client = kafkaClientNamed(config.KAFKA_CLIENT, { kafka, brokers: config.KAFKA_BROKERS, clientId: `ordo-${service.name}` });
        const bus = kafkaBus({ kafka, client, sql, schema, logger, metrics });
        lifecycle.onShutdown('bus', () => bus.close());
        failOnBusFailure(bus, logger, lifecycle);

        // A peer with replicas (its name given twice) is called on each in turn: a retry goes to the next.
        const peerTurns = new Map([...config.PEER_URLS].map(([peer, urls]) => [peer, roundRobin(urls)]));
        const peers = knownPeers((peer) => peerTurns.get(peer)?.(), config.SERVICE_TOKEN);
        const ports = { bus, sql, schema, logger, clock: () => new Date(), anonymousCustomers: false, metrics, peers, eventSources: { kafka } };
        const module = await createModule(service, ports, store);
        await publishService(service, store, bus);
        const running = await startService(module, bus);
        // Registered after the bus, so its workers stop before the bus closes.
        lifecycle.onShutdown('workers', () => running.stop());
        stopOnFailure(running.failed, 'a worker', logger, lifecycle);
        const operatorRoutes = deadLetterRoutes([{ consumers: running.consumers, deadLetters: sqlDeadLetterStore(sql, { schema }) }]);
        return {
          routes: async (app) => {
            await module.routes(app);
            operatorRoutes(app);
          },
          errorMappings: module.errorMappings,
          ...(module.settleDelayMs ? { settleDelayMs: module.settleDelayMs } : {}),
          idempotency: sqlIdempotencyStore(pool, { schema }),
          readinessChecks: { postgres: () => pool.query('select 1') },
          authTokens: config.AUTH_TOKENS,
        };
      },
    }),
    environment,
  );
