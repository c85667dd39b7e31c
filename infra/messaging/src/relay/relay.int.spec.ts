import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { createEventStore, eventIdFor, type EventStore } from '@ordo/eventstore';
import { eventually, testScope } from '@ordo/testing';
import { sqlCheckpointStore } from '../checkpoints';
import { kafkajsProducer, type MessageProducer } from '../clients/producer';
import { inbox, pgPoolDatabase } from '../consumer/inbox';
import { runConsumer, type ConsumedMessage } from '../consumer/runner';
import { HEADER } from '../headers';
import { checkpointBefore } from '../../test/topic-messages';
import { startRelay } from './relay';
import { contextRouting } from './routing';

const scope = testScope();
const STREAMS = 20;

const eventsFor = (stream: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: eventIdFor(`${stream}-${from + i}`, 0),
    type: 'Counted',
    data: { stream, n: from + i },
    metadata: { correlationId: `c-${stream}`, causationId: 'test', schemaVersion: 1, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  }));

/** Appends `total` events spread over the streams, each stream in revision order. */
const seed = async (store: EventStore, total: number, prefix: string) => {
  const perStream = total / STREAMS;
  for (let chunk = 0; chunk < perStream; chunk += 50) {
    await Promise.all(
      Array.from({ length: STREAMS }, (_, s) =>
        store.appendToStream(`${prefix}-${s}`, eventsFor(`${prefix}${s}`, chunk, Math.min(50, perStream - chunk)), { expectedRevision: 'any' }),
      ),
    );
  }
};

/** Reads a topic from the beginning with a consumer that applies into PostgreSQL through the inbox. */
const applyAll = async (topic: string, expected: number, pool: pg.Pool, table: string, messages = expected) => {
  const database = pgPoolDatabase(pool);
  const applied = inbox(database, { schema: scope.schema });
  await database.query(`create table if not exists "${scope.schema}".${table} (event_id text primary key, stream text, n int)`);
  const received: ConsumedMessage<{ stream: string; data: { n: number } }>[] = [];
  // Every delivery passes parse; only the first of each message reaches handle.
  let delivered = 0;
  const runner = await runConsumer<{ stream: string; data: { n: number } }>({
    kafka: scope.kafka(),
    groupId: scope.topic(`apply-${topic}`),
    topics: [topic],
    inbox: applied,
    parse: (value) => {
      delivered += 1;
      return value as { stream: string; data: { n: number } };
    },
    handle: async (message, { query }) => {
      received.push(message);
      await query?.(`insert into "${scope.schema}".${table} (event_id, stream, n) values ($1, $2, $3)`, [message.messageId, message.key, message.value.data.n]);
    },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await database.query<{ count: string }>(`select count(*) as count from "${scope.schema}".${table}`);
    // Every message read (duplicates too) and every effect applied.
    if ((Number(rows[0]?.count) >= expected && delivered >= messages) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await runner.stop();
  return { received, delivered };
};

/** For each key, the revisions in the order they arrived, each first time only. */
const firstArrivals = (messages: ConsumedMessage<{ stream: string; data: { n: number } }>[]) => {
  const byKey = new Map<string, number[]>();
  const seen = new Set<string>();
  for (const message of messages) {
    if (seen.has(message.messageId)) continue;
    seen.add(message.messageId);
    byKey.set(message.key, [...(byKey.get(message.key) ?? []), message.value.data.n]);
  }
  return byKey;
};

/** A context of this test's own, with its event topic made (three partitions). */
const contextWithTopic = async (letter: string) => {
  const context = `relay${letter}${scope.id.replace(/_/g, '')}`.slice(0, 40);
  const admin = scope.kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `ordo.${context}.events`, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  return context;
};

/** The checkpoint of the store's last event: where a relay starts to skip what the tests before appended. */
const lastCheckpointIn = async (store: EventStore) => {
  let last: string | undefined;
  for await (const event of store.readAll()) last = event.checkpoint;
  return last;
};

describe('the relay from the event store to Kafka', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(async () => pool.end());

  it('publishes every event in order per stream, with its headers, and resumes from its checkpoint', async () => {
    const context = `relaya${scope.id.replace(/_/g, '')}`.slice(0, 40);
    const topic = `ordo.${context}.events`;
    const admin = scope.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    await seed(store, 1_000, 'counter');
    const checkpoints = sqlCheckpointStore(pool, { schema: scope.schema });
    const relay = await startRelay({ name: 'relay-a', store, kafka: scope.kafka(), routing: contextRouting(context), checkpoints });
    const { received } = await applyAll(topic, 1_000, pool, 'applied_a');
    expect(relay.status()).toMatchObject({ published: 1_000, waiting: 0, stalled: false });
    await relay.stop();

    expect(new Set(received.map((m) => m.messageId)).size).toBe(1_000);
    for (const [, revisions] of firstArrivals(received)) expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(received[0]?.headers).toMatchObject({
      [HEADER.eventType]: 'Counted',
      [HEADER.schemaVersion]: '1',
      [HEADER.causationId]: 'test',
      traceparent: expect.stringMatching(/^00-/),
    });

    // Started again, it publishes only what came after its checkpoint.
    await store.appendToStream('counter-0', eventsFor('counter0', 50, 1), { expectedRevision: 'any' });
    const again = await startRelay({ name: 'relay-a', store, kafka: scope.kafka(), routing: contextRouting(context), checkpoints });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(again.status().published).toBe(1);
    await again.stop();
    await store.close();
  });

  it('saves its checkpoint beside its sends: a slow save holds no send back, saves come far fewer than sends, and the last is saved when it stops', async () => {
    const context = await contextWithTopic('c');
    const store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    const stored = sqlCheckpointStore(pool, { schema: scope.schema });
    // Every save asked for, in order, each taking 300 ms: a send that waited for one would wait that long.
    const asked: string[] = [];
    const checkpoints = {
      ...stored,
      save: async (name: string, checkpoint: string) => {
        asked.push(checkpoint);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return stored.save(name, checkpoint);
      },
    };
    // Starting after what the tests before appended to the store.
    const before = await lastCheckpointIn(store);
    if (before) await stored.save('relay-c', before);
    const relay = await startRelay({ name: 'relay-c', store, kafka: scope.kafka(), routing: contextRouting(context), checkpoints, lingerMs: 1 });

    // Ten events trickle in, each after the last was published: ten sends.
    for (let n = 0; n < 10; n++) {
      await store.appendToStream('trickle-0', eventsFor('trickle0', n, 1), { expectedRevision: 'any' });
      await eventually(() => relay.status().published === n + 1, `event ${n} published`, { timeoutMs: 10_000, intervalMs: 5 });
    }
    // Had each send saved its checkpoint before the next went, there would be ten by now.
    expect(asked.length).toBeLessThan(10);
    await relay.stop();

    const last = await lastCheckpointIn(store);
    expect(await stored.load('relay-c')).toBe(last);
    expect(asked.at(-1)).toBe(last);
    expect(asked.filter((checkpoint, index) => index > 0 && checkpointBefore(checkpoint, asked[index - 1] ?? '0:0'))).toEqual([]);
    await store.close();
  });

  it('by default sends what one read of the store brought in one send, not its first event alone', async () => {
    const context = await contextWithTopic('d');
    const store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    const checkpoints = sqlCheckpointStore(pool, { schema: scope.schema });
    // Starting after what the tests before appended to the store.
    const before = await lastCheckpointIn(store);
    if (before) await checkpoints.save('relay-d', before);
    // The messages of each send, in order.
    const sends: number[] = [];
    const producer = async (): Promise<MessageProducer> => {
      const kafkajs = await kafkajsProducer(scope.kafka());
      return {
        sendBatch: async (topicMessages) => {
          sends.push(topicMessages.reduce((count, { messages }) => count + messages.length, 0));
          await kafkajs.sendBatch(topicMessages);
        },
        disconnect: () => kafkajs.disconnect(),
      };
    };
    const relay = await startRelay({ name: 'relay-d', store, kafka: scope.kafka(), routing: contextRouting(context), checkpoints, producer });

    // One append of 12 events, one transaction: a read has all or none, and hands them over one by one.
    await store.appendToStream('together-0', eventsFor('together0', 0, 12), { expectedRevision: 'any' });
    await eventually(() => relay.status().published === 12, 'the twelve published', { timeoutMs: 10_000, intervalMs: 5 });
    expect(sends).toEqual([12]);
    await relay.stop();
    await store.close();
  });

  it('killed with SIGKILL in the middle of 10,000 events and started again, loses none; the inbox applies each once', async () => {
    const context = `relayk${scope.id.replace(/_/g, '')}`.slice(0, 40);
    const topic = `ordo.${context}.events`;
    const admin = scope.kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const messagesInTopic = async () => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

    const store = await createEventStore(scope.env.databaseUrl, { schema: `${scope.schema}_k` });
    await seed(store, 10_000, 'tally');
    const startProcess = () => {
      // node itself with tsx loaded, not tsx's CLI: that wraps the script in a second
      // process, and SIGKILL would kill only the wrapper.
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../test/relay-main.ts')], {
        env: {
          ...process.env,
          SCHEMA: `${scope.schema}_k`,
          CONTEXT: context,
          DATABASE_URL: scope.env.databaseUrl,
          KAFKA_BROKERS: scope.env.kafkaBrokers.join(','),
        },
        stdio: 'ignore',
      });
      return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
    };
    const patience = { timeoutMs: 90_000, intervalMs: 50 };

    const first = startProcess();
    await eventually(async () => (await messagesInTopic()) >= 2_000, '2000 messages in the topic', patience);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await messagesInTopic();
    expect(atKill).toBeLessThan(10_000); // it really died in the middle

    const second: { child: ChildProcess; exited: Promise<unknown> } = startProcess();
    await eventually(async () => (await messagesInTopic()) >= 10_000, '10000 messages in the topic', patience);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    second.child.kill('SIGTERM');
    await second.exited;
    const total = await messagesInTopic();
    await admin.disconnect();

    const { received, delivered } = await applyAll(topic, 10_000, pool, 'applied_k', total);
    const unique = new Set(received.map((m) => m.messageId)).size;
    console.log(`relay crash test: ${total} messages for 10000 events, ${total - 10_000} duplicates (killed at ${atKill})`);
    expect(unique).toBe(10_000);
    expect(received).toHaveLength(10_000); // applied once each, duplicates included in what was delivered
    expect(delivered).toBeGreaterThanOrEqual(total);
    for (const [, revisions] of firstArrivals(received)) expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    const { rows } = await pool.query(`select count(*)::int as applied, count(distinct event_id)::int as distinct_ids from "${scope.schema}".applied_k`);
    expect(rows[0]).toEqual({ applied: 10_000, distinct_ids: 10_000 });
    await store.close();
    await pool.query(`drop schema "${scope.schema}_k" cascade`);
  }, 180_000);
});
