import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { KAFKA_CLIENTS, kafkaClientNamed } from '../clients/kafka-client';
import { HEADER } from '../headers';
import { inbox, pgPoolDatabase } from './inbox';
import type { ConsumerRunner } from './runner';

// A second member joins the group and leaves again while messages flow and the first
// keeps running: partitions move twice, in the middle of batches and chunks. With the
// inbox, every message is applied once, and each key's messages in the order sent. On
// each Kafka client the runner runs on.
const scope = testScope();
const KEYS = 12;

interface Counted {
  key: string;
  n: number;
}

const patience = { timeoutMs: 60_000, intervalMs: 50 };

describe.each(KAFKA_CLIENTS)('a consumer group on %s while a member joins and leaves', (clientName) => {
  const clientOf = (member: string) => kafkaClientNamed(clientName, { kafka: scope.kafka(member), brokers: scope.env.kafkaBrokers, clientId: member });
  const applied = `"${scope.schema}".applied_${clientName}`;
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 8 });
  });
  afterAll(async () => pool.end());

  const appliedBy = async (member?: string): Promise<number> => {
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${applied} where $1::text is null or member = $1`, [member ?? null]);
    return rows[0]?.n ?? 0;
  };

  it('applies every message exactly once, in order per key', async () => {
    const topic = await scope.createTopic(`events-${clientName}`, { numPartitions: 3 });
    // No unique message id: a second application would show as a second row.
    await pool.query(`create table ${applied} (seq bigserial primary key, member text not null, message_id text not null, key text not null, n int not null)`);
    const groupId = scope.topic(`rebalance-${clientName}`);
    const database = pgPoolDatabase(pool);
    let deliveries = 0; // parse sees every delivery, before the inbox
    const member = (name: string) =>
      clientOf(name).runConsumer<Counted>({
        groupId,
        topics: [topic],
        inbox: inbox(database, { schema: scope.schema }),
        parse: (value) => {
          deliveries += 1;
          return value as Counted;
        },
        handle: async ({ messageId, value }, { query }) => {
          if (!query) throw new Error('the test applies through the inbox');
          await sleep(1); // slow enough that a rebalance mostly finds a chunk under way
          await query(`insert into ${applied} (member, message_id, key, n) values ($1, $2, $3, $4)`, [name, messageId, value.key, value.n]);
        },
      });

    // Messages flow all along: 20 every 20 ms, the keys in turn, each key numbered from 0.
    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let sent = 0;
    let flowing = true;
    const flow = (async () => {
      while (flowing) {
        const messages = Array.from({ length: 20 }, (_, i) => {
          const index = sent + i;
          const value: Counted = { key: `k${index % KEYS}`, n: Math.floor(index / KEYS) };
          return { key: value.key, value: JSON.stringify(value), headers: { [HEADER.eventId]: `${value.key}-${value.n}` } };
        });
        await producer.send({ topic, messages });
        sent += messages.length;
        await sleep(20);
      }
    })();

    const first: ConsumerRunner = await member('first');
    let second: ConsumerRunner | undefined;
    try {
      await eventually(async () => (await appliedBy('first')) >= 500, 'the first member applying', patience);
      second = await member('second');
      await eventually(async () => (await appliedBy('second')) >= 500, 'the second member applying its partitions', patience);
      await second.stop(); // leaves the group: its partitions go back to the first
      second = undefined;
      const afterLeave = await appliedBy('first');
      await eventually(async () => (await appliedBy('first')) >= afterLeave + 500, 'the first member taking the partitions back', patience);
      flowing = false;
      await flow;
      await producer.disconnect();
      await eventually(async () => (await appliedBy()) >= sent, `all ${sent} messages applied`, patience);
      await sleep(1_000); // time for a message applied twice to show
    } finally {
      flowing = false;
      await flow.catch(() => undefined);
      await second?.stop();
      await first.stop();
    }

    const { rows: totals } = await pool.query(`select count(*)::int as rows, count(distinct message_id)::int as ids from ${applied}`);
    expect(totals[0]).toEqual({ rows: sent, ids: sent });
    const { rows } = await pool.query<{ key: string; ns: number[] }>(`select key, array_agg(n order by seq) as ns from ${applied} group by key`);
    expect(rows).toHaveLength(KEYS);
    for (const { ns } of rows) expect(ns).toEqual(ns.map((_, i) => i));
    console.log(
      `rebalance test on ${clientName}: ${sent} messages, ${deliveries - sent} delivered again; the second member applied ${await appliedBy('second')}`,
    );
  }, 180_000);
});
