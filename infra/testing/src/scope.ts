import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import knex, { type Knex } from 'knex';
import { testEnvironment, type TestEnvironment } from './environment';

export interface TestScope {
  /** Unique to this test file and run, e.g. `kafka_round_trip_3f9a1c`. */
  id: string;
  /** The PostgreSQL schema owned by this file (created on first use of `db()`). */
  schema: string;
  env: TestEnvironment;
  /** knex on the shared database, with `search_path` set to this file's schema. */
  db(): Promise<Knex>;
  /** A topic name owned by this file: `t.<id>.<name>`. */
  topic(name: string): string;
  /** Creates this file's topic and waits until it has leaders. */
  createTopic(name: string, config?: Omit<ITopicConfig, 'topic'>): Promise<string>;
  /** A kafkajs client for this run's brokers; quiet unless asked, since it logs every retry as an error. */
  kafka(clientId?: string, level?: logLevel): Kafka;
}

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/\.(unit|int|e2e)\.spec\.ts$/, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 40);

/**
 * Gives a test file its own database schema and topic names, so suites run in any
 * order and a rerun starts clean. Call once at the top of a test file: it drops the
 * schema and deletes the topics in afterAll.
 */
export const testScope = (): TestScope => {
  const env = testEnvironment();
  const testPath = expect.getState().testPath ?? 'anonymous';
  const id = `${slug(path.basename(testPath))}_${randomBytes(3).toString('hex')}`;
  const schema = `t_${id}`;
  const topics = new Set<string>();
  let database: Promise<Knex> | undefined;

  const kafka = (clientId = id, level = logLevel.NOTHING): Kafka => new Kafka({ clientId, brokers: env.kafkaBrokers, logLevel: level });

  const db = (): Promise<Knex> =>
    (database ??= (async () => {
      const connection = knex({ client: 'pg', connection: env.databaseUrl, searchPath: [schema], pool: { min: 0, max: 4 } });
      await connection.raw('create schema if not exists ??', [schema]);
      return connection;
    })());

  const topic = (name: string): string => `t.${id}.${name}`;

  const createTopic = async (name: string, config: Omit<ITopicConfig, 'topic'> = {}): Promise<string> => {
    const admin = kafka(`${id}-admin`).admin();
    await admin.connect();
    try {
      const topicName = topic(name);
      // kafkajs waits for leaders only through LEADER_NOT_AVAILABLE, while a KRaft broker
      // first answers UNKNOWN_TOPIC_OR_PARTITION: so wait here until the metadata is whole.
      await admin.createTopics({ topics: [{ numPartitions: 3, replicationFactor: 1, ...config, topic: topicName }], waitForLeaders: false });
      topics.add(topicName);
      let lastError: unknown;
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          const {
            topics: [metadata],
          } = await admin.fetchTopicMetadata({ topics: [topicName] });
          if (metadata?.partitions.every((partition) => partition.leader >= 0)) return topicName;
        } catch (error) {
          lastError = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`topic ${topicName} has no leaders after 5 s`, { cause: lastError });
    } finally {
      await admin.disconnect();
    }
  };

  afterAll(async () => {
    if (database) {
      const connection = await database;
      await connection.raw('drop schema if exists ?? cascade', [schema]);
      await connection.destroy();
    }
    if (topics.size > 0) {
      const admin = new Kafka({ clientId: `${id}-cleanup`, brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  return { id, schema, env, db, topic, createTopic, kafka };
};
