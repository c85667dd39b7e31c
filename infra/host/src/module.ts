import type { EventSchemaRegistry, EventStore } from '@ordo/eventstore';
import type { ApiDescription, ErrorMapping, HttpServer } from '@ordo/http';
import type { Kafka } from 'kafkajs';
import type { Bus, BusConsumer, BusConsumerOptions } from '@ordo/messaging';
import type { Logger, ServiceMetrics, TransactionalSql } from '@ordo/runtime';

/** How a service reaches the others of the shop over HTTP. */
export interface Peers {
  /**
   * A service's base URL, no trailing slash. Read when calling: in embedded mode it is the
   * process's own, known only once it listens. Throws for a service the host was not told of.
   */
  urlOf(service: string): string;
  /** The bearer token this service calls the others with (role viewer); undefined where the host has none. */
  token: string | undefined;
}

/**
 * What a service is given (docs/architecture.md: "the same service code runs in all three modes:
 * only the adapters behind the ports change").
 */
export interface ServicePorts extends ReadModelPorts {
  /** The context's own event store (its schema, or its EventStoreDB stream prefixes). */
  store: EventStore;
}

/** What a service without an event store (a read model) is given: everything but a store. */
export interface ReadModelPorts {
  bus: Bus;
  /** The service's own database, for its tables (price table, inbox, checkpoints): in `schema`. */
  sql: TransactionalSql;
  schema: string;
  logger: Logger;
  /** Time enters through here, into command metadata; tests pass a fixed clock. */
  clock: () => Date;
  /** Callers without a token act as customers (embedded mode: a shop on one's own machine). */
  anonymousCustomers: boolean;
  /** The service's metrics registry (shared by every service in embedded mode). */
  metrics: ServiceMetrics;
  peers: Peers;
  /**
   * Where the events the bus carries come from, for a read model's lag: every context's
   * store (embedded mode), or the broker. Absent where a host has neither to offer.
   */
  eventSources?: EventSources;
}

export type EventSources = { stores: { name: string; store: EventStore }[] } | { kafka: Kafka };

/** How a host opens a service's event store, in every mode. */
export interface StoreSpec {
  /** The streams the store holds (`['order-']`): it refuses others, and reads and the relay see only these. */
  streamPrefixes: string[];
  /** The contract's event schemas: the store refuses an append they do not describe. */
  registry?: EventSchemaRegistry;
}

/** A consumer as a service declares it: the host starts it once every service has published. */
export interface ConsumerDefinition {
  groupId: string;
  topics: string[];
  start(bus: Bus): Promise<BusConsumer>;
}

/** Declares a consumer, keeping its message type between `parse` and `handle`. */
export const consumer = <T>(options: BusConsumerOptions<T>): ConsumerDefinition => ({
  groupId: options.groupId,
  topics: options.topics,
  start: (bus) => bus.consume(options),
});

/** A service built from its ports: what a host mounts. */
export interface ServiceModule {
  /** Its domain errors as HTTP statuses (docs/architecture.md, "Errors at the edge"). */
  errorMappings?: ErrorMapping[];
  /** Registers its versioned routes (`/v1/...`). */
  routes(app: HttpServer): void | Promise<void>;
  /** Creates its own tables (a copy of another context's data): before a consumer writes them or a route reads them. */
  migrate?(): Promise<void>;
  consumers?: ConsumerDefinition[];
  /** Started once its consumers are; stopped before its bus closes. */
  workers?: WorkerDefinition[];
  /**
   * How long the work it accepted took to settle (`settleDelays` of @ordo/http): while it is
   * past SHED_MAX_SETTLE_DELAY_MS, its routes that start work are refused. Read where the
   * service is a process of its own (standalone); embedded mode sheds on its PGlite queue.
   */
  settleDelayMs?(): number | undefined;
}

/** Work a service runs beside its consumers, such as a saga's deadline scheduler. */
export interface WorkerDefinition {
  name: string;
  start(): Promise<RunningWorker>;
}

export interface RunningWorker {
  stop(): Promise<void>;
  /** Rejects when it failed for good: the service stops, and is restarted. */
  readonly failed: Promise<never>;
}

export type ServiceFactory = (ports: ServicePorts) => ServiceModule | Promise<ServiceModule>;
export type ReadModelFactory = (ports: ReadModelPorts) => ServiceModule | Promise<ServiceModule>;

interface ServiceDefinitionBase {
  /** Its schema, its topics (`ordo.<name>.events`, `ordo.<name>.commands`), its log lines, its process in local mode. */
  name: string;
  api: ApiDescription;
  /** Whether other services command it on `ordo.<name>.commands` (a saga's steps). */
  takesCommands: boolean;
  /** The services it calls over HTTP: a standalone host refuses to start without their URLs. */
  calls?: string[];
}

/**
 * A bounded context or a saga, as every host (embedded, local, standalone, the test host)
 * and topic provisioning see it. Hosts derive the rest: its store's schema and its
 * topics from `name`, its command topic from `takesCommands`, its events' relay from `store`.
 */
export interface StoredServiceDefinition extends ServiceDefinitionBase {
  store: StoreSpec;
  /** Whether its store records commands for others (a saga's CommandIssued). Default false: command consumers never read it. */
  issuesCommands?: boolean;
  create: ServiceFactory;
}

/**
 * A service with no event store, such as a read model: it publishes nothing (no events
 * topic, no relay) and only consumes other services' topics into its own tables.
 */
export interface ReadModelDefinition extends ServiceDefinitionBase {
  store?: undefined;
  issuesCommands?: false;
  create: ReadModelFactory;
}

export type ServiceDefinition = StoredServiceDefinition | ReadModelDefinition;

const NAME = /^[a-z][a-z0-9-]*$/;

/** Peers whose URLs a lookup gives (standalone: PEER_URLS; the test host: other hosts), read on every call. */
export const knownPeers = (urlOf: (service: string) => string | undefined, token: string | undefined): Peers => ({
  urlOf: (service) => {
    const url = urlOf(service);
    if (!url) throw new Error(`no URL is known for service ${service}`);
    return url;
  },
  token,
});

/** A service definition, checked: its name becomes a schema and topic names. */
export function defineService(definition: StoredServiceDefinition): StoredServiceDefinition;
export function defineService(definition: ReadModelDefinition): ReadModelDefinition;
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  if (!NAME.test(definition.name)) throw new Error(`a service's name is lowercase letters, digits and '-', not '${definition.name}'`);
  if (definition.store && definition.store.streamPrefixes.length === 0) throw new Error(`service ${definition.name} declares no stream prefixes`);
  if (!definition.store && definition.takesCommands) throw new Error(`service ${definition.name} takes commands but has no store to record their events`);
  return definition;
}

/** Builds a service from its ports: the store goes only to a service that declares one (the host opened it). */
export const createModule = (definition: ServiceDefinition, ports: ReadModelPorts, store: EventStore | undefined): ServiceModule | Promise<ServiceModule> => {
  if (!definition.store) return definition.create(ports);
  if (!store) throw new Error(`service ${definition.name} declares a store, and the host opened none`);
  return definition.create({ ...ports, store });
};

/** The SQL schema a service's tables and store live in, by default: its name, with '-' as '_'. */
export const schemaOf = (definition: Pick<ServiceDefinition, 'name'>): string => definition.name.replaceAll('-', '_');

/**
 * Makes a service's events (and, for a saga, its commands) reach the bus: before any service
 * starts its consumers. A service without a store publishes nothing.
 */
export const publishService = async (definition: ServiceDefinition, store: EventStore | undefined, bus: Bus): Promise<void> => {
  if (definition.store && store) await bus.publish(definition.name, store, { recordsCommands: definition.issuesCommands ?? false });
};

/** A mounted service: its workers, and its consumers by group id (an operator redrives their dead letters). */
export interface RunningService extends RunningWorker {
  consumers: ReadonlyMap<string, BusConsumer>;
}

/**
 * Mounts a built service on its bus: its tables, then its consumers, then its workers. Its
 * relay (`bus.publish`) runs before, for every service. What it returns stops the workers
 * (the bus stops the consumers), and fails when one of them fails.
 */
export const startService = async (module: ServiceModule, bus: Bus): Promise<RunningService> => {
  await module.migrate?.();
  const consumers = new Map<string, BusConsumer>();
  for (const declared of module.consumers ?? []) consumers.set(declared.groupId, await declared.start(bus));
  const workers: RunningWorker[] = [];
  for (const declared of module.workers ?? []) workers.push(await declared.start());
  const failed = Promise.race(workers.map((worker) => worker.failed));
  failed.catch(() => undefined); // observed by the host; never an unhandled rejection
  return { consumers, failed, stop: async () => void (await Promise.all(workers.map((worker) => worker.stop()))) };
};
