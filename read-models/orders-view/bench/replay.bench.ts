// A full rebuild of orders-view from Kafka (`ordo replay orders-view`'s path) beside a raw
// kafkajs consumer that reads the same messages and does nothing with them, same run, same
// broker: the ratio of their rates is the figure (target 0.5). The events are orders' lives
// as the shop records them (test/order-lives.ts), on topics of this run's own.
//
//   npm run bench -- replay
//   BENCH_EVENTS=1000000  BENCH_ROUNDS=1
//
// It runs with the ordo command's node flags (package.json's `ordo`), the raw consumer too:
// node-options: --max-semi-space-size=64
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { kafkaFeed, rebuildProjection } from '@ordo/projections';
import { pgPoolSql, quoteIdentifier } from '@ordo/runtime';
import { benchKafka, best, describeRun, envNumber, msSince, now, printTable, sampleRss, MB } from '@ordo/testing/bench';
import { ordersViewProjection } from '../src/projection';
import { EVENTS_PER_ORDER, ORDER_CONTEXTS, publishOrderLives, type OrderContext } from '../test/order-lives';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = envNumber('BENCH_EVENTS', 1_000_000);
const ROUNDS = Math.max(1, envNumber('BENCH_ROUNDS', 1));
const RUN = randomBytes(4).toString('hex');
const SCHEMA = `bench_replay_${RUN}`;
const PARTITIONS = 3;
const topicOf = (context: OrderContext) => `bench-${RUN}.${context}.events`;
const TOPICS = ORDER_CONTEXTS.map(topicOf);

const produce = async (kafka: Kafka) => {
  const started = now();
  const events = await publishOrderLives(kafka, Math.ceil(EVENTS / EVENTS_PER_ORDER), topicOf);
  return { events, seconds: msSince(started) / 1000 };
};

/** The baseline: a consumer of a group of its own, from the beginning, counting. */
const rawConsume = async (kafka: Kafka, total: number) => {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${RUN}-${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100, // as the feed's; the fetch sizes are kafkajs' own, as the feed's are
  });
  await consumer.connect();
  await consumer.subscribe({ topics: TOPICS, fromBeginning: true });
  let seen = 0;
  const started = now();
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          if (seen >= total) resolve();
        },
      })
      .catch(reject);
  });
  const seconds = msSince(started) / 1000;
  await consumer.disconnect();
  return { events: seen, perSecond: seen / seconds, seconds };
};

const rebuild = async (sql: ReturnType<typeof pgPoolSql>, kafka: Kafka) => {
  const rss = sampleRss(50);
  const result = await rebuildProjection({ ...ordersViewProjection, topics: TOPICS }, { sql, schema: SCHEMA, source: kafkaFeed({ kafka, topics: TOPICS }) });
  const { peakBytes } = rss.stop();
  const seconds = result.durationMs / 1000;
  return { events: result.events, perSecond: result.events / seconds, seconds, peakMb: peakBytes / MB, phases: result.phases };
};

const main = async () => {
  describeRun({ events: EVENTS, rounds: ROUNDS, topicPartitions: PARTITIONS, topics: TOPICS });
  const broker = await benchKafka(`bench-${RUN}`);
  const { kafka, admin } = broker;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  const sql = pgPoolSql(pool);
  try {
    await admin.createTopics({ waitForLeaders: true, topics: TOPICS.map((topic) => ({ topic, numPartitions: PARTITIONS })) });
    console.log(`node flags: ${process.execArgv.join(' ')}`);
    console.log(`producing ${EVENTS.toLocaleString('en-US')} events to ${TOPICS.join(', ')} ...`);
    const produced = await produce(kafka);
    console.log(`produced ${produced.events.toLocaleString('en-US')} events in ${produced.seconds.toFixed(1)} s`);

    const raws: Awaited<ReturnType<typeof rawConsume>>[] = [];
    const rebuilds = [];
    const readRaw = async (round: number) => {
      raws.push(await rawConsume(kafka, produced.events));
      console.log(`round ${round + 1}: raw kafkajs ${raws.at(-1)?.perSecond.toFixed(0)} events/s`);
    };
    for (let round = 0; round < ROUNDS; round++) {
      await readRaw(round);
      // Each round rebuilds from scratch: the first creates the live tables, later ones swap.
      rebuilds.push(await rebuild(sql, kafka));
      console.log(`round ${round + 1}: rebuild ${rebuilds.at(-1)?.perSecond.toFixed(0)} events/s`);
    }
    // Read once more after the last rebuild: the first read, just after producing, has been
    // as slow as half the next one here, which flattered the ratio. The best read is the baseline.
    await readRaw(ROUNDS - 1);
    const raw = best(raws, (run) => run.perSecond);
    const rebuilt = best(rebuilds, (run) => run.perSecond);
    const { rows } = await pool.query<{ n: string }>(`select count(*)::text as n from ${quoteIdentifier(SCHEMA)}.orders`);
    console.log(`orders-view holds ${Number(rows[0]?.n ?? 0).toLocaleString('en-US')} orders`);
    printTable(`== replay: rebuild orders-view from Kafka (${produced.events.toLocaleString('en-US')} events, ${PARTITIONS} partitions a topic)`, [
      { label: 'rebuild rate vs raw kafkajs consumer', unit: 'events/s', value: rebuilt.perSecond, baseline: raw.perSecond, target: 0.5 },
      { label: 'rebuild time vs raw read time', unit: 's', value: rebuilt.seconds, baseline: raw.seconds, digits: 1 },
      { label: 'rebuild peak RSS', unit: 'MB', value: rebuilt.peakMb },
    ]);
    const { readMs, flushMs, indexMs, swapMs } = rebuilt.phases;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `rebuild phases: read into the shadow ${seconds(readMs)}, last writes ${seconds(flushMs)}, indexes ${seconds(indexMs)}, catch-up, comparison and swap ${seconds(swapMs)}`,
    );
  } finally {
    await pool.query(`drop schema if exists ${quoteIdentifier(SCHEMA)} cascade`).catch(() => undefined);
    await pool.end();
    await admin.deleteTopics({ topics: TOPICS }).catch(() => undefined);
    await broker.close();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
