import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createEventStore, type EventSchemaRegistry } from '@ordo/eventstore';
import { authTokensFromEnv, defineHttpService, runHttpService, sqlIdempotencyStore, type RunningHttpService } from '@ordo/http';
import { kafkaBus } from '@ordo/messaging';
import { env, pgPoolSql } from '@ordo/runtime';
import type { ServiceFactory } from './module';
import { failOnBusFailure } from './failure';

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Local and compose modes: one service, its own process, on PostgreSQL (its schema)
 * and Kafka. The event store is PostgreSQL too unless EVENTSTORE_URL names another
 * (`esdb://…`). Every context's `main.ts` is this one call; its contract's event schemas,
 * as `registry`, make the store refuse an event the contract does not describe.
 */
export const runStandalone = (
  name: string,
  factory: ServiceFactory,
  { registry, environment = process.env }: { registry?: EventSchemaRegistry; environment?: NodeJS.ProcessEnv } = {},
): Promise<RunningHttpService> =>
  runHttpService(
    defineHttpService({
      name,
      api: { title: name, version: '1.0.0' },
      config: {
        DATABASE_URL: env.url(['postgres', 'postgresql']).default(LOCAL_POSTGRES),
        DATABASE_SCHEMA: env.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lowercase SQL identifier').default(name),
        EVENTSTORE_URL: env.url(['postgres', 'postgresql', 'esdb', 'kurrentdb']).optional(),
        KAFKA_BROKERS: env.list().default(['127.0.0.1:9092']),
        AUTH_TOKENS: authTokensFromEnv().optional(),
      },
      setup: async ({ config, logger, metrics, lifecycle }) => {
        const schema = config.DATABASE_SCHEMA;
        const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 8 });
        lifecycle.onShutdown('postgres', () => pool.end());
        const store = await createEventStore(config.EVENTSTORE_URL ?? config.DATABASE_URL, { schema, registry });
        lifecycle.onShutdown('event store', () => store.close());
        const kafka = new Kafka({ clientId: `ordo-${name}`, brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
        const sql = pgPoolSql(pool);
        const bus = kafkaBus({ kafka, sql, schema, logger, metrics });
        lifecycle.onShutdown('bus', () => bus.close());
        failOnBusFailure(bus, logger, lifecycle);

        const module = await factory({ store, bus, sql, schema, logger, clock: () => new Date() });
        await module.publish();
        await module.start();
        return {
          routes: module.routes,
          errorMappings: module.errorMappings,
          idempotency: sqlIdempotencyStore(pool, { schema }),
          readinessChecks: { postgres: () => pool.query('select 1') },
          ...(config.AUTH_TOKENS ? { authTokens: config.AUTH_TOKENS } : {}),
        };
      },
    }),
    environment,
  );
