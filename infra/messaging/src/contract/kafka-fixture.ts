import pg from 'pg';
import type { Admin } from 'kafkajs';
import { createEventStore, type EventStore } from '@ordo/eventstore';
import { pgPoolSql } from '@ordo/runtime';
import type { TestScope } from '@ordo/testing';
import { kafkaBus, type Bus } from '../bus';
import type { KafkaClient } from '../clients/kafka-client';
import { busContract, type BusFixture } from './bus-contract';

/**
 * The consumer contract on Kafka: a relay from a PostgreSQL store, consumer groups with
 * the inbox and the dead letters in PostgreSQL, on the client given (kafkajs's by default).
 */
export const kafkaBusContract = (scope: TestScope, clientOf?: (brokers: string[]) => KafkaClient) => {
  let pool: pg.Pool;
  let admin: Admin;
  let store: EventStore;
  let bus: Bus;
  let fixture: BusFixture;
  // A context and consumer names of this run: the bus names its topics after them.
  const prefix = scope.id.replace(/_/g, '-');
  const topic = `ordo.${prefix}.events`;
  const groups: string[] = [];

  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 8 });
    admin = scope.kafka().admin();
    await admin.connect();
    store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    const database = { sql: pgPoolSql(pool), schema: scope.schema };
    bus = kafkaBus({ kafka: scope.kafka(), ...database, ...(clientOf && { client: clientOf(scope.env.kafkaBrokers) }) });
    await bus.publish(prefix, store);
    fixture = {
      store,
      topic,
      database,
      prefix,
      consume: (options) => {
        groups.push(options.groupId);
        return bus.consume({ ...options, topics: [topic] });
      },
      // The group is empty once its consumer stopped: its offsets can be moved.
      rewind: (groupId) => admin.resetOffsets({ groupId, topic, earliest: true }),
    };
  });

  afterAll(async () => {
    await bus.close(); // its relay, and any consumer a failed test left running
    await store.close();
    await admin.deleteTopics({ topics: [topic, ...groups.map((group) => `ordo.${group}.dlq`)] }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  });

  busContract(() => fixture);
};
