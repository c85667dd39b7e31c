// A service's consumers on the real broker, as local mode runs them: its store, inbox and
// dead letters in PostgreSQL (the test file's schema), its consumer groups on Kafka. The
// consumers' topics and groups are mapped to the test file's own (testScope), so a shop
// running on the same broker is not disturbed, and a spec produces straight to those
// topics: it decides what arrives twice. No relay runs: the service's own events stay in
// its store, where a spec reads them.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Admin, Message } from 'kafkajs';
import { createEventStore, type EventStore, type RecordedEvent } from '@ordo/eventstore';
import {
  consumerLag,
  deadLetterTopic,
  eventMessageValue,
  HEADER,
  headersOf,
  kafkaBus,
  sqlDeadLetterStore,
  type Bus,
  type CommandMessage,
  type ParkedKey,
} from '@ordo/messaging';
import { createLogger, createMetrics, pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import type { TestScope } from '@ordo/testing';
import { eventually } from '@ordo/testing/eventually';
import { createModule, knownPeers, startService, type ServiceDefinition, type ServiceModule } from '../module';
import { closeInReverse } from './closers';
import { participantEvent, type RecordedByParticipant } from './conversation';

export interface KafkaTestHostOptions {
  /** The service under test, with its store as every host opens it. */
  service: ServiceDefinition;
  /** The test file's scope: its schema holds the store and tables; its topics and groups are the consumers'. */
  scope: TestScope;
  /** Default: the wall clock. */
  clock?: () => Date;
}

export interface KafkaTestHost {
  module: ServiceModule;
  /** The service's store; reading it throws for a service without one (a read model). */
  store: EventStore;
  sql: TransactionalSql;
  /**
   * Produces a command to the service's command topic as the relay delivers a saga's:
   * keyed by `key`, with the message id given. The same id again is a redelivery; a new
   * one with the same command id is the command re-published (a relay restarted).
   */
  deliverCommand(key: string, command: Omit<CommandMessage, 'metadata'>, messageId?: string): Promise<void>;
  /**
   * Delivers a command three times, as duplicates arrive: twice under one message id (a
   * redelivery before the offset was committed), then under a new one (a relay re-publishing
   * it after a crash).
   */
  deliverDuplicated(key: string, command: Omit<CommandMessage, 'metadata'>): Promise<void>;
  /**
   * Produces another context's event to its event topic (`topic`, the contract's name) as
   * its relay publishes it: keyed by its stream, its id the message id, `times` times.
   * Resolves to the event's id.
   */
  deliverEvent(topic: string, event: RecordedByParticipant, options?: { times?: number }): Promise<string>;
  /** Waits until every consumer has handled (or parked) every message of its topics: its committed offsets at their ends. */
  settled(): Promise<void>;
  /** What a consumer (by the group id the service declares) has parked. */
  parked(groupId: string): Promise<ParkedKey[]>;
  /** Stops the producer and the consumers, deletes the dead-letter topics, then closes the store and the pool. */
  close(): Promise<void>;
}

export const startKafkaTestHost = async ({ service, scope, clock = () => new Date() }: KafkaTestHostOptions): Promise<KafkaTestHost> => {
  const closers: (() => Promise<unknown>)[] = [];
  const close = () => closeInReverse(closers, 'the Kafka test host');
  try {
    await scope.db();
    const pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 6 });
    closers.push(() => pool.end());
    const store = service.store && (await createEventStore(scope.env.databaseUrl, { schema: scope.schema, ...service.store }));
    if (store) closers.push(() => store.close());
    const sql = pgPoolSql(pool);
    const kafka = scope.kafka();
    const admin = kafka.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    const groups = scopedGroups(scope);
    // Pushed before the bus, so it runs after the consumers have stopped producing to them.
    closers.push(() => admin.deleteTopics({ topics: groups.deadLetterTopics() }).catch(() => undefined));
    const logger = createLogger({ service: service.name, level: 'silent' });
    const metrics = createMetrics(service.name, { processMetrics: false });
    const inner = kafkaBus({ kafka, sql, schema: scope.schema, logger, metrics });
    closers.push(() => inner.close());
    const bus = groups.bus(inner);
    const peers = knownPeers(() => undefined, undefined);
    const module = await createModule(service, { bus, sql, schema: scope.schema, logger, clock, anonymousCustomers: false, metrics, peers }, store);
    for (const topic of new Set((module.consumers ?? []).flatMap((declared) => declared.topics))) await scope.createTopic(topic);
    const running = await startService(module, bus);
    closers.push(() => running.stop());
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    closers.push(() => producer.disconnect());
    const send = (topic: string, message: Message) => producer.send({ topic: scope.topic(topic), acks: -1, messages: [message] });

    const deliverCommand: KafkaTestHost['deliverCommand'] = async (key, command, messageId = randomUUID()) => {
      await send(`ordo.${service.name}.commands`, {
        key,
        value: JSON.stringify({ ...command, metadata: { correlationId: `saga-${key}`, causationId: messageId } }),
        headers: { [HEADER.eventId]: messageId, [HEADER.messageKind]: 'command', [HEADER.eventType]: 'CommandIssued', [HEADER.schemaVersion]: '1' },
      });
    };

    return {
      module,
      get store() {
        if (!store) throw new Error(`service ${service.name} has no store`);
        return store;
      },
      sql,
      deliverCommand,
      deliverDuplicated: async (key, command) => {
        const messageId = randomUUID();
        await deliverCommand(key, command, messageId);
        await deliverCommand(key, command, messageId);
        await deliverCommand(key, command);
      },
      deliverEvent: async (topic, recorded, { times = 1 } = {}) => {
        const event: RecordedEvent = { ...participantEvent(recorded), stream: recorded.stream, revision: 0n, position: 0n, recordedAt: new Date() };
        const message = { key: event.stream, value: eventMessageValue(event), headers: headersOf(event) };
        for (let delivery = 0; delivery < times; delivery++) await send(topic, message);
        return event.id;
      },
      settled: () => groups.settled(admin),
      parked: (groupId) => sqlDeadLetterStore(sql, { schema: scope.schema }).listParked(groups.scoped(groupId)),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
};

/** The consumer groups the service starts, on the scope's topics and under the scope's group names. */
const scopedGroups = (scope: TestScope) => {
  const started: { groupId: string; topics: string[] }[] = [];
  // A group names its dead-letter topic, whose name takes only lowercase letters, digits and '-'.
  const scoped = (groupId: string) => `${scope.id.replaceAll('_', '-')}-${groupId}`;
  return {
    scoped,
    bus: (inner: Bus): Bus => ({
      failed: inner.failed,
      // A relay would publish to the shop's own topics: the service's events stay in its store.
      publish: (context) => Promise.reject(new Error(`the Kafka test host runs no relay, so ${context} is not published`)),
      close: () => inner.close(),
      consume: (options) => {
        const consumer = { groupId: scoped(options.groupId), topics: options.topics.map((topic) => scope.topic(topic)) };
        started.push(consumer);
        return inner.consume({ ...options, ...consumer });
      },
    }),
    deadLetterTopics: () => started.map(({ groupId }) => deadLetterTopic(groupId).name),
    settled: async (admin: Admin) => {
      await eventually(
        async () => {
          for (const { groupId, topics } of started) {
            if ((await consumerLag(admin, groupId, topics)).some(({ lag }) => lag > 0)) return false;
          }
          return true;
        },
        'every consumer to handle every message',
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    },
  };
};
