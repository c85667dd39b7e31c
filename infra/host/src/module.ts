import type { EventSchemaRegistry, EventStore } from '@ordo/eventstore';
import type { ApiDescription, ErrorMapping, HttpServer } from '@ordo/http';
import type { Bus } from '@ordo/messaging';
import type { Logger, TransactionalSql } from '@ordo/runtime';

/**
 * What a service is given (docs/architecture.md: "the same service code runs in all three modes:
 * only the adapters behind the ports change").
 */
export interface ServicePorts {
  /** The context's own event store (its schema, or its EventStoreDB stream prefixes). */
  store: EventStore;
  bus: Bus;
  /** The service's own database, for its tables (price table, inbox, checkpoints): in `schema`. */
  sql: TransactionalSql;
  schema: string;
  logger: Logger;
  /** Time enters through here, into command metadata; tests pass a fixed clock. */
  clock: () => Date;
  /** Callers without a token act as customers (embedded mode: a shop on one's own machine). */
  anonymousCustomers: boolean;
}

/** How a host opens a module's event store, in every mode. */
export interface StoreSpec {
  /** The streams the store holds (`['order-']`): it refuses others, and reads and the relay see only these. */
  streamPrefixes: string[];
  /** The contract's event schemas: the store refuses an append they do not describe. */
  registry?: EventSchemaRegistry;
}

/** A bounded context or a saga, as a host mounts it. */
export interface ServiceModule {
  /** The context's name: its schema, its topics (`ordo.<name>.*`), its log lines. */
  name: string;
  api: ApiDescription;
  errorMappings?: ErrorMapping[];
  /** Registers the module's versioned routes (`/v1/...`). */
  routes(app: HttpServer): void | Promise<void>;
  /** Makes its events reach the bus. A host calls it for every module before starting any. */
  publish(): Promise<void>;
  /** Starts its consumers. */
  start(): Promise<void>;
}

export type ServiceFactory = (ports: ServicePorts) => ServiceModule | Promise<ServiceModule>;
