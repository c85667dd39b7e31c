import type { Admin, Kafka } from 'kafkajs';
import type { EventStore } from '@ordo/eventstore';
import type { Logger, ServiceMetrics, TransactionalSql } from '@ordo/runtime';
import { sqlCheckpointStore } from './checkpoints';
import { kafkajsClient, type KafkaClient } from './clients/kafka-client';
import { inbox, type Inbox } from './consumer/inbox';
import type { ProcessingOptions } from './consumer/processor';
import { sqlDeadLetterStore, type RedriveResult } from './dead-letters/store';
import { failureSignal } from './failure';
import { CONSUMER_LAG_METRIC, registerConsumerLag } from './lag';
import { runEmbeddedConsumer, type EmbeddedSource } from './embedded/bus';
import { startRelay } from './relay/relay';
import { contextRouting } from './relay/routing';
import { commandTopic, deadLetterTopic, describeProvisioning, eventTopic, provisionTopics, type TopicSpec } from './topics';

export interface BusConsumerOptions<T> extends Omit<ProcessingOptions<T>, 'inbox'> {
  topics: string[];
  /**
   * Commit the handler's writes (`context.query`) with the message id: exactly-once effects
   * in the service's database (true: the shared `ordo_inbox`). An Inbox of the consumer's own
   * instead (a projection's: its transaction without recording ids) is used as given.
   */
  inbox?: boolean | Inbox;
  /** On Kafka: partitions whose batches are handled at the same time (default 3); see ConsumerRunnerOptions. */
  concurrentPartitions?: number;
}

export interface BusConsumer {
  stop(): Promise<void>;
  /** Applies a parked sequence's messages in order (the key, unless the consumer sequences by another). */
  redrive(sequence: string): Promise<RedriveResult>;
}

/**
 * What a service sees of messaging, whichever mode runs it (docs/architecture.md, "The three
 * ways it runs"): it publishes its store and consumes topics. Kafka or the embedded
 * bus is chosen by the composition root; the service code is the same.
 */
export interface PublishOptions {
  /** Whether the store records commands (CommandIssued). Default true. */
  recordsCommands?: boolean;
}

export interface Bus {
  /**
   * Makes a context's events, and the commands they record, reach consumers: a relay to
   * Kafka, or a source of the embedded bus. `recordsCommands: false` (a context no saga
   * runs in) spares the embedded bus's command consumers from reading its store at all;
   * the relay routes whatever it finds either way.
   */
  publish(context: string, store: EventStore, options?: PublishOptions): Promise<void>;
  consume<T>(options: BusConsumerOptions<T>): Promise<BusConsumer>;
  /** Rejects when a relay or a consumer failed for good: the service should stop (and be restarted). */
  readonly failed: Promise<never>;
  /** Stops what it started, consumers first. */
  close(): Promise<void>;
}

/** The service's own database: inbox, checkpoints and dead letters live in its schema. */
export interface BusDatabase {
  sql: TransactionalSql;
  schema: string;
}

/** A topic's spec from its name: `ordo.<context>.events|commands`. */
const specFor = (topic: string, partitions: number): TopicSpec | undefined => {
  const match = /^ordo\.([a-z0-9-]+)\.(events|commands)$/.exec(topic);
  if (!match) return undefined;
  return match[2] === 'events' ? eventTopic(match[1] as string, partitions) : commandTopic(match[1] as string, partitions);
};

const inboxFor = (option: boolean | Inbox | undefined, { sql, schema }: BusDatabase): Inbox | undefined =>
  option === true ? inbox(sql, { schema }) : option || undefined;

type LagWatch = { groupId: string; topics: string[] };

export interface KafkaBusOptions extends BusDatabase {
  /** Topics are provisioned and lag read with it, and, unless `client` says otherwise, messages sent and consumed. */
  kafka: Kafka;
  /** The client of the relays and consumer groups. Default kafkajs, with `kafka`. */
  client?: KafkaClient;
  partitions?: number;
  logger?: Logger;
  /** The service's registry: its relay's backlog and its consumers' lag are served there. */
  metrics?: ServiceMetrics;
}

/** Local and compose modes: relays to Kafka, consumer groups with the inbox and a DLQ topic. */
export const kafkaBus = (options: KafkaBusOptions): Bus => {
  const { kafka, sql, schema } = options;
  const client = options.client ?? kafkajsClient(kafka);
  const partitions = options.partitions ?? 3;
  const { failed, fail } = failureSignal();
  const stops: (() => Promise<void>)[] = [];
  let lag: { admin: Admin; groups: LagWatch[] } | undefined;

  /** The first consumer registers the lag gauge, with an admin client the bus closes last. */
  const watchLag = async (groupId: string, topics: string[]) => {
    const { metrics } = options;
    if (!metrics) return;
    if (!lag) {
      const admin = kafka.admin();
      await admin.connect();
      const watched = { admin, groups: [] as LagWatch[] };
      // A bus made again on the same registry (a service restarted in a test) takes the gauge over.
      metrics.registry.removeSingleMetric(CONSUMER_LAG_METRIC);
      registerConsumerLag(metrics.registry, admin, watched.groups, (error, group) =>
        options.logger?.warn({ err: error, groupId: group }, 'consumer lag unavailable'),
      );
      stops.push(async () => {
        metrics.registry.removeSingleMetric(CONSUMER_LAG_METRIC);
        await admin.disconnect();
      });
      lag = watched;
    }
    lag.groups.push({ groupId, topics });
  };

  const provision = async (specs: TopicSpec[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const report = await provisionTopics(admin, specs);
      for (const line of describeProvisioning(report)) options.logger?.info(line);
    } finally {
      await admin.disconnect();
    }
  };

  return {
    failed,
    publish: async (context, store) => {
      // The relay's lock lives on a connection of its own, for as long as the relay runs.
      const session = sql.session?.bind(sql);
      if (!session)
        throw new Error(`the Kafka bus publishes ${context} with a relay locked on a connection of its own: give it a PostgreSQL pool (pgPoolSql), not PGlite`);
      await provision([eventTopic(context, partitions)]);
      const relay = await startRelay({
        name: `${context}-relay`,
        store,
        kafka,
        producer: () => client.producer(),
        routing: contextRouting(context),
        lock: { session, schema },
        ...(options.metrics ? { metrics: options.metrics } : {}),
      });
      relay.done.catch(fail);
      stops.push(() => relay.stop());
    },
    consume: async <T>(consumer: BusConsumerOptions<T>) => {
      const dlq = deadLetterTopic(consumer.groupId);
      await provision([...consumer.topics.flatMap((topic) => specFor(topic, partitions) ?? []), dlq]);
      const runner = await client.runConsumer<T>({
        ...(options.logger && { logger: options.logger }),
        ...consumer,
        inbox: inboxFor(consumer.inbox, { sql, schema }),
        deadLetters: { store: sqlDeadLetterStore(sql, { schema }), topic: dlq.name },
      });
      runner.failed.catch(fail);
      stops.unshift(() => runner.stop());
      await watchLag(consumer.groupId, consumer.topics);
      return runner;
    },
    close: async () => {
      for (const stop of stops.splice(0)) await stop();
    },
  };
};

/**
 * The sources a consumer of these topics reads: a source's events reach only its own
 * event topic, and any source may record commands (a saga's CommandIssued). A source
 * read for commands alone is read for CommandIssued events alone.
 */
const sourcesFor = (sources: PublishedSource[], topics: string[]): EmbeddedSource[] =>
  sources.flatMap(({ recordsCommands, ...source }) => {
    if (topics.includes(`ordo.${source.name}.events`)) return [source];
    const readsCommands = recordsCommands && topics.some((topic) => topic.endsWith('.commands'));
    return readsCommands ? [{ ...source, filter: { eventTypes: ['CommandIssued'] } }] : [];
  });

type PublishedSource = EmbeddedSource & { recordsCommands: boolean };

/**
 * Embedded mode: one hub per process holds every context's store; each service gets a
 * bus on it with its own database. Every context publishes before any consumer starts
 * (the host mounts them in that order), since a consumer reads the sources it is given.
 */
export const embeddedHub = () => {
  const sources: PublishedSource[] = [];
  return {
    busFor: ({ sql, schema }: BusDatabase): Bus => {
      const { failed, fail } = failureSignal();
      const stops: (() => Promise<void>)[] = [];
      return {
        failed,
        publish: async (context, store, options = {}) => {
          sources.push({ name: context, store, routing: contextRouting(context), recordsCommands: options.recordsCommands ?? true });
        },
        consume: async <T>(consumer: BusConsumerOptions<T>) => {
          const running = await runEmbeddedConsumer<T>({
            ...consumer,
            sources: sourcesFor(sources, consumer.topics),
            checkpoints: sqlCheckpointStore(sql, { schema }),
            inbox: inboxFor(consumer.inbox, { sql, schema }),
            deadLetters: { store: sqlDeadLetterStore(sql, { schema }) },
          });
          running.done.catch(fail);
          stops.push(() => running.stop());
          return running;
        },
        close: async () => {
          for (const stop of stops.splice(0)) await stop();
        },
      };
    },
  };
};

export type EmbeddedHub = ReturnType<typeof embeddedHub>;
