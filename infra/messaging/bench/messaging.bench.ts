// The relay and the consumer runner beside raw kafkajs doing the same work, on one
// broker (KAFKA_BROKERS, else the local one, started and stopped here) and one
// PostgreSQL (DATABASE_URL), in a schema and topics of this run's own. The targets are
// the performance issue's: the relay at 0.9 of a raw idempotent producer, the runner with
// the inbox at 0.6 of a raw consumer doing nothing. Beside raw kafkajs, the same raw
// produce and consume with @platformatic/kafka, a maintained client (./platformatic.ts),
// and the relay, the runner and the latency again with that client behind Ordo's port
// (platformaticClient: what a service runs with KAFKA_CLIENT=platformatic).
//
//   npm run bench -- messaging
//   BENCH_EVENTS=50000  BENCH_LATENCY_SECONDS=10  BENCH_RATE=2000  BENCH_ROUNDS=3
import { randomBytes } from 'node:crypto';
import { Partitioners, type Message } from 'kafkajs';
import pg from 'pg';
import { createEventStore, eventIdFor, type EventStore, type PositionedEvent } from '@ordo/eventstore';
import { alternate, benchKafka, best, describeRun, envNumber, msSince, now, percentile, printTable } from '@ordo/testing/bench';
import {
  CHUNK_SIZES,
  RELAY_DEFAULTS,
  contextRouting,
  eventMessageValue,
  headersOf,
  inbox,
  kafkajsClient,
  pgPoolDatabase,
  platformaticClient,
  sqlCheckpointStore,
  startRelay,
  type KafkaClient,
} from '../src';
import { consumePlatformatic, producePlatformatic } from './platformatic';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = envNumber('BENCH_EVENTS', 50_000);
const LATENCY_SECONDS = envNumber('BENCH_LATENCY_SECONDS', 10);
const RATE = envNumber('BENCH_RATE', 2_000);
const ROUNDS = Math.max(1, envNumber('BENCH_ROUNDS', 3));
// The first second or two at the rate run cold (the store's pool opening connections,
// the JIT): their latencies say nothing about the steady state, and are not counted.
const WARMUP_SECONDS = 2;
const RUN = randomBytes(4).toString('hex');
const SCHEMA = `bench_msg_${RUN}`;
const CONTEXT = `bench${RUN}`;
const PARTITIONS = 3;

const waitUntil = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 300_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const event = (stream: number, n: number, sentAt?: number) => ({
  id: eventIdFor(`${RUN}-${stream}-${n}`, 0),
  type: 'BenchHappened',
  data: { stream, n, sentAt, note: 'x'.repeat(300) },
  metadata: { correlationId: `c-${stream}`, causationId: 'bench', schemaVersion: 1 },
});

const seed = async (store: EventStore) => {
  for (let n = 0; n < EVENTS / 100; n += 10) {
    await Promise.all(
      Array.from({ length: 100 }, (_, s) =>
        store.appendToStream(
          `bench-${s}`,
          Array.from({ length: 10 }, (_, i) => event(s, n + i)),
          { expectedRevision: 'any' },
        ),
      ),
    );
  }
};

const main = async () => {
  describeRun({
    events: EVENTS,
    topicPartitions: PARTITIONS,
    rounds: ROUNDS,
    latencyRate: RATE,
    latencySeconds: LATENCY_SECONDS,
    relayBatch: RELAY_DEFAULTS,
    consumerChunk: CHUNK_SIZES,
  });
  const broker = await benchKafka(`bench-${RUN}`);
  const { kafka, admin, brokers } = broker;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
  const clients: Record<KafkaClient['name'], KafkaClient> = {
    kafkajs: kafkajsClient(kafka),
    platformatic: platformaticClient({ brokers, clientId: `bench-${RUN}` }),
  };
  const eventsTopic = `ordo.${CONTEXT}.events`;
  const rawTopic = `bench.${RUN}.raw`;
  const platformaticTopic = `bench.${RUN}.raw-platformatic`;
  // The relay on @platformatic/kafka publishes the same events to a context of its own.
  const platformaticContext = `${CONTEXT}pf`;
  const latencyContext = (client: KafkaClient) => `${CONTEXT}lat${client.name === 'kafkajs' ? '' : 'pf'}`;
  const topics = [
    eventsTopic,
    rawTopic,
    platformaticTopic,
    `ordo.${platformaticContext}.events`,
    ...Object.values(clients).map((client) => `ordo.${latencyContext(client)}.events`),
  ];
  let store: EventStore | undefined;
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })) });
    store = await createEventStore(DATABASE_URL, { schema: SCHEMA });
    console.log(
      `node ${process.version}; ${EVENTS.toLocaleString('en-US')} events of ~${JSON.stringify(event(0, 0)).length} bytes over 100 streams, ${PARTITIONS} partitions`,
    );
    await seed(store);
    const events: PositionedEvent[] = [];
    for await (const e of store.readAll({ batchSize: 1000 })) events.push(e);

    // ---- a. relay vs a raw idempotent producer sending the same messages in batches of 500
    // Built as they are sent, inside the clock, as the relay builds its messages.
    function* batches(): Generator<Message[]> {
      for (let i = 0; i < events.length; i += 500) {
        yield events.slice(i, i + 500).map((e) => ({ key: e.stream, value: eventMessageValue(e), headers: headersOf(e) }));
      }
    }
    const rawStarted = now();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (const messages of batches()) await producer.sendBatch({ acks: -1, topicMessages: [{ topic: rawTopic, messages }] });
    const rawSeconds = msSince(rawStarted) / 1000;
    await producer.disconnect();
    const platformaticSeconds = await producePlatformatic(brokers, platformaticTopic, batches());
    const stored = (await admin.fetchTopicOffsets(platformaticTopic)).reduce((sum, { high }) => sum + Number(high), 0);
    if (stored !== EVENTS) throw new Error(`@platformatic/kafka's producer stored ${stored} of ${EVENTS} messages`);

    const relayRun = async (client: KafkaClient, context: string) => {
      const relayStarted = now();
      const relay = await startRelay({
        name: `bench-${context}`,
        store: store as EventStore,
        kafka,
        producer: () => client.producer(),
        routing: contextRouting(context),
        checkpoints: sqlCheckpointStore(pool, { schema: SCHEMA }),
      });
      await waitUntil(() => relay.status().published >= EVENTS, `the relay on ${client.name}`);
      const seconds = msSince(relayStarted) / 1000;
      await relay.stop();
      return seconds;
    };
    const relaySeconds = await relayRun(clients.kafkajs, CONTEXT);
    const platformaticRelaySeconds = await relayRun(clients.platformatic, platformaticContext);

    // ---- b. the runner with the inbox writing a row per message vs a raw consumer doing nothing:
    // alternately, each round a group of its own reading the topic from the start, clocked
    // from connecting to the last message; the best round of each, since noise on a busy
    // machine only ever slows a run down
    const rawConsume = async (round: number) => {
      const started = now();
      const rawConsumer = kafka.consumer({ groupId: `bench-raw-${RUN}-${round}` });
      await rawConsumer.connect();
      await rawConsumer.subscribe({ topics: [eventsTopic], fromBeginning: true });
      let consumed = 0;
      await rawConsumer.run({ eachBatch: async ({ batch }) => void (consumed += batch.messages.length) });
      await waitUntil(() => consumed >= EVENTS, 'the raw consumer');
      const seconds = msSince(started) / 1000;
      await rawConsumer.disconnect();
      return EVENTS / seconds;
    };
    const database = pgPoolDatabase(pool);
    const runnerConsume = async (client: KafkaClient, round: number) => {
      const table = `"${SCHEMA}".applied_${client.name}_${round}`;
      await pool.query(`create table ${table} (id text primary key, stream text not null, n int not null)`);
      let applied = 0;
      const started = now();
      const runner = await client.runConsumer<{ stream: string; data: { n: number } }>({
        groupId: `bench-runner-${client.name}-${RUN}-${round}`,
        topics: [eventsTopic],
        inbox: inbox(database, { schema: SCHEMA }),
        handle: async (message, { query }) => {
          await query?.(`insert into ${table} (id, stream, n) values ($1, $2, $3)`, [message.messageId, message.key, message.value.data.n]);
          applied += 1;
        },
        // The same rows, a chunk's in one statement: how a projection writes under load.
        handleChunk: async (messages, { query }) => {
          await query(`insert into ${table} (id, stream, n) select * from unnest($1::text[], $2::text[], $3::int[])`, [
            messages.map((message) => message.messageId),
            messages.map((message) => message.key),
            messages.map((message) => message.value.data.n),
          ]);
          applied += messages.length;
        },
      });
      await waitUntil(() => applied >= EVENTS, `the consumer runner on ${client.name}`);
      const seconds = msSince(started) / 1000;
      await runner.stop();
      return EVENTS / seconds;
    };
    const platformaticConsume = async (round: number) =>
      EVENTS / (await consumePlatformatic(brokers, eventsTopic, `bench-platformatic-${RUN}-${round}`, EVENTS));
    const consumeRates = await alternate(ROUNDS, rawConsume, async (round) => ({
      runner: await runnerConsume(clients.kafkajs, round),
      platformatic: await platformaticConsume(round),
      platformaticRunner: await runnerConsume(clients.platformatic, round),
    }));

    const rawConsumeRate = best(consumeRates.baseline, (rate) => rate);

    // ---- c. append to consume latency at a steady rate, open loop (sends on schedule, never waits)
    const latencyRun = async (client: KafkaClient) => {
      const context = latencyContext(client);
      // A store of each client's own: the runs append events of the same ids.
      const latencyStore = await createEventStore(DATABASE_URL, { schema: `${SCHEMA}_lat_${client.name}` });
      const latencyRelay = await startRelay({
        name: `bench-lat-${context}`,
        store: latencyStore,
        kafka,
        producer: () => client.producer(),
        routing: contextRouting(context),
        checkpoints: sqlCheckpointStore(pool, { schema: SCHEMA }),
      });
      const warmup = RATE * WARMUP_SECONDS;
      const latencies: number[] = [];
      const latencyRunner = await client.runConsumer<{ data: { n: number; sentAt: number } }>({
        groupId: `bench-lat-${context}`,
        topics: [`ordo.${context}.events`],
        handle: async (message) => {
          if (message.value.data.n >= warmup) latencies.push(performance.timeOrigin + performance.now() - message.value.data.sentAt);
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // the group settles before the clock starts
      const total = warmup + RATE * LATENCY_SECONDS;
      const started = performance.now();
      const appends: Promise<unknown>[] = [];
      const appendLatencies: number[] = [];
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const stored = latencyStore.appendToStream(`lat-${i % 200}`, [event(i % 200, i, performance.timeOrigin + due)], { expectedRevision: 'any' });
        appends.push(stored.then(() => i >= warmup && appendLatencies.push(performance.now() - due)));
      }
      await Promise.all(appends);
      await waitUntil(() => latencies.length >= total - warmup, `every timed event on ${client.name}`, 60_000);
      await latencyRunner.stop();
      await latencyRelay.stop();
      await latencyStore.close();
      return { consumed: [...latencies].sort((x, y) => x - y), appended: [...appendLatencies].sort((x, y) => x - y) };
    };
    const latency = await latencyRun(clients.kafkajs);
    const platformaticLatency = await latencyRun(clients.platformatic);

    printTable('Messaging (subject) against raw kafkajs (baseline)', [
      { label: 'a. relay, store to Kafka', unit: 'events/s', value: EVENTS / relaySeconds, baseline: EVENTS / rawSeconds, target: 0.9 },
      { label: '   the same on @platformatic/kafka', unit: 'events/s', value: EVENTS / platformaticRelaySeconds, baseline: EVENTS / rawSeconds, target: 0.9 },
      {
        label: 'b. consumer runner, inbox + a row per message',
        unit: 'msgs/s',
        value: best(consumeRates.subject, ({ runner }) => runner).runner,
        baseline: rawConsumeRate,
        target: 0.6,
      },
      {
        label: '   the same on @platformatic/kafka',
        unit: 'msgs/s',
        value: best(consumeRates.subject, ({ platformaticRunner }) => platformaticRunner).platformaticRunner,
        baseline: rawConsumeRate,
        target: 0.6,
      },
      { label: 'raw produce, @platformatic/kafka vs kafkajs', unit: 'events/s', value: EVENTS / platformaticSeconds, baseline: EVENTS / rawSeconds },
      {
        label: 'raw consume, @platformatic/kafka vs kafkajs',
        unit: 'msgs/s',
        value: best(consumeRates.subject, ({ platformatic }) => platformatic).platformatic,
        baseline: rawConsumeRate,
      },
      { label: `c. append to consume at ${RATE}/s, p50`, unit: 'ms', value: percentile(latency.consumed, 0.5), digits: 1 },
      { label: `   p99`, unit: 'ms', value: percentile(latency.consumed, 0.99), digits: 1 },
      { label: `   the append alone (scheduled to stored), p99`, unit: 'ms', value: percentile(latency.appended, 0.99), digits: 1 },
      { label: `   on @platformatic/kafka, p50`, unit: 'ms', value: percentile(platformaticLatency.consumed, 0.5), digits: 1 },
      { label: `   on @platformatic/kafka, p99`, unit: 'ms', value: percentile(platformaticLatency.consumed, 0.99), digits: 1 },
    ]);
  } finally {
    await store?.close().catch(() => undefined);
    await pool
      .query(
        `drop schema if exists "${SCHEMA}" cascade; drop schema if exists "${SCHEMA}_lat_kafkajs" cascade; drop schema if exists "${SCHEMA}_lat_platformatic" cascade`,
      )
      .catch((error: unknown) => console.error(error));
    await pool.end();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await broker.close();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
