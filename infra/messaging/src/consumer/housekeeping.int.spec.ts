import pg from 'pg';
import { createMetrics, pgPoolSql } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import { kafkaBus, type Bus } from '../bus';
import { HEADER } from '../headers';

// What a Kafka bus consumer does beside its messages: it prunes its inbox past the
// retention while it runs, and serves its lag per partition on the service's registry.
const scope = testScope();
const patience = { timeoutMs: 30_000, intervalMs: 100 };

describe('a Kafka bus consumer, beside its messages', () => {
  let pool: pg.Pool;
  let bus: Bus;
  const groupId = scope.id.replace(/_/g, '-');

  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(async () => {
    await bus?.close();
    const admin = scope.kafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [`ordo.${groupId}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  });

  it('prunes inbox ids older than the retention, and serves ordo_consumer_lag per partition', async () => {
    const topic = await scope.createTopic('events', { numPartitions: 1 });
    const metrics = createMetrics('housekeeping', { processMetrics: false });
    bus = kafkaBus({ kafka: scope.kafka(), sql: pgPoolSql(pool), schema: scope.schema, metrics });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await bus.consume({
      groupId,
      topics: [topic],
      inbox: true,
      inboxRetention: { retainMs: 24 * 3_600_000, pruneEveryMs: 100 },
      // The first message holds the partition until released: the rest wait, as lag.
      handle: async (message) => {
        if (message.messageId === 'm0') await held;
      },
    });
    const inboxTable = `"${scope.schema}".ordo_inbox`;
    await pool.query(
      `insert into ${inboxTable} (consumer, message_id, processed_at) values ($1, 'old', now() - interval '2 days'), ($1, 'recent', now() - interval '1 hour'), ('other', 'old', now() - interval '2 days')`,
      [groupId],
    );

    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: '{}', headers: { [HEADER.eventId]: `m${i}` } })) });
    await producer.disconnect();

    const lagLine = async () =>
      (await metrics.registry.metrics()).split('\n').find((line) => line.startsWith(`ordo_consumer_lag{group="${groupId}",topic="${topic}",partition="0"`));
    await eventually(async () => (await lagLine())?.endsWith(' 5'), 'all five waiting behind the held message', patience);
    release();
    await eventually(async () => (await lagLine())?.endsWith(' 0'), 'no lag once they are applied and committed', patience);

    const kept = async () =>
      (
        await pool.query<{ consumer: string; message_id: string }>(
          `select consumer, message_id from ${inboxTable} where message_id in ('old', 'recent') order by consumer`,
        )
      ).rows;
    await eventually(async () => (await kept()).length === 2, 'the old id pruned', patience);
    // Only this consumer's ids, and only those past the retention.
    expect(await kept()).toEqual([
      { consumer: groupId, message_id: 'recent' },
      { consumer: 'other', message_id: 'old' },
    ]);
  }, 60_000);
});
