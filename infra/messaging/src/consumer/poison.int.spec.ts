import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { testScope } from '@ordo/testing';
import { sqlDeadLetterStore, type DeadLetterStore } from '../dead-letters/store';
import { readHeaders } from '../headers';
import { deadLetterTopic, provisionTopics } from '../topics';
import { inbox, pgPoolDatabase } from './inbox';
import { runConsumer, type ConsumerRunner } from './runner';

// Sequenced dead letters (DESIGN.md, "Ordering is per key"): a poison message parks its
// key and everything behind it, the other keys flow on, and a redrive applies the key in order.
const scope = testScope();

interface Counted {
  key: string;
  n: number;
}

const waitFor = async (what: string, check: () => boolean | Promise<boolean>) => {
  for (const deadline = Date.now() + 30_000; !(await check()); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
};

describe('runConsumer with sequenced dead letters', () => {
  let pool: pg.Pool;
  let admin: Admin;
  let store: DeadLetterStore;
  const dlqTopics: string[] = [];
  let groups = 0;

  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
    store = sqlDeadLetterStore(pool, { schema: scope.schema });
    admin = scope.kafka().admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: dlqTopics }).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  });

  /** A group of its own, with its DLQ topic provisioned under the topics.ts name. */
  const newGroup = async () => {
    const groupId = `poison-${scope.id.replace(/_/g, '-')}-${++groups}`;
    const dlq = deadLetterTopic(groupId);
    await provisionTopics(admin, [dlq]);
    dlqTopics.push(dlq.name);
    return { groupId, dlq: dlq.name };
  };

  const produce = async (topic: string, messages: Counted[]) => {
    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: messages.map((value) => ({ key: value.key, value: JSON.stringify(value), headers: { origin: 'test' } })) });
    await producer.disconnect();
  };

  const readAll = async (topic: string, expected: number): Promise<KafkaMessage[]> => {
    const received: KafkaMessage[] = [];
    const reader: Consumer = scope.kafka().consumer({ groupId: `${topic}-reader` });
    await reader.connect();
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void received.push(message) });
    await waitFor(`${expected} messages on ${topic}`, () => received.length >= expected);
    await reader.disconnect();
    return received;
  };

  const series = (key: string, from: number, to: number): Counted[] => Array.from({ length: to - from }, (_, i) => ({ key, n: from + i }));

  it('parks a poison key behind its failure while other keys flow on, and redrives it in order once fixed', async () => {
    const topic = await scope.createTopic('events', { numPartitions: 3 });
    const { groupId, dlq } = await newGroup();
    const database = pgPoolDatabase(pool);
    await database.query(`create table "${scope.schema}".applied (key text, n int, message_id text primary key)`);
    const applied: string[] = [];
    let fixed = false;
    const runner: ConsumerRunner = await runConsumer<Counted>({
      kafka: scope.kafka(),
      groupId,
      topics: [topic],
      inbox: inbox(database, { schema: scope.schema }),
      retry: { attempts: 3, initialMs: 10 },
      deadLetters: { store, topic: dlq },
      handle: async ({ value, messageId }, { query }) => {
        if (!fixed && value.key === 'b' && value.n === 2) throw new Error('b-2 is poison');
        await query?.(`insert into "${scope.schema}".applied (key, n, message_id) values ($1, $2, $3)`, [value.key, value.n, messageId]);
        applied.push(`${value.key}${value.n}`);
      },
    });
    try {
      // Interleaved, five of each key; b's third message (b2) is the poison.
      await produce(topic, series('a', 0, 5).flatMap((a, i) => [a, { key: 'b', n: i }, { key: 'c', n: i }]));
      const ofKey = (key: string) => applied.filter((entry) => entry.startsWith(key));
      await waitFor('a and c applied, b parked', async () => ofKey('a').length === 5 && ofKey('c').length === 5 && (await store.listParked(groupId))[0]?.messages === 3);

      expect(ofKey('a')).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
      expect(ofKey('c')).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      expect(ofKey('b')).toEqual(['b0', 'b1']);
      expect(await store.listParked(groupId)).toEqual([{ key: 'b', messages: 3, firstError: 'b-2 is poison', firstParkedAt: expect.any(Date) }]);
      const parked = await store.parkedMessages(groupId, 'b');
      expect(parked.map((message) => JSON.parse(message.value ?? 'null'))).toEqual(series('b', 2, 5));
      expect(parked[1]?.error).toBe("parked behind the failed message of key 'b'");

      const dead = await readAll(dlq, 3);
      expect(dead.map((message) => JSON.parse(message.value?.toString() ?? 'null'))).toEqual(series('b', 2, 5));
      expect(dead.map((message) => message.key?.toString())).toEqual(['b', 'b', 'b']);
      expect(readHeaders(dead[0]?.headers)).toEqual({
        origin: 'test',
        'dlq-error': 'b-2 is poison',
        'dlq-topic': topic,
        'dlq-partition': String(parked[0]?.partition),
        'dlq-offset': parked[0]?.offset,
      });
      expect(dead.map((message) => readHeaders(message.headers)['dlq-offset'])).toEqual(parked.map((message) => message.offset));

      // The fix, then the operator's redrive: b's rest applied in order, nothing parked.
      fixed = true;
      expect(await runner.redrive('b')).toEqual({ applied: 3, remaining: 0 });
      expect(ofKey('b')).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
      expect(await store.listParked(groupId)).toEqual([]);

      // New messages of b flow normally again.
      await produce(topic, [...series('b', 5, 7), ...series('a', 5, 6)]);
      await waitFor('b5, b6 and a5 applied', () => applied.length === 18);
      expect(ofKey('b')).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
      expect(await store.listParked(groupId)).toEqual([]);
      const { rows } = await pool.query(`select count(*)::int as n, count(distinct message_id)::int as ids from "${scope.schema}".applied`);
      expect(rows[0]).toEqual({ n: 18, ids: 18 });
    } finally {
      await runner.stop();
    }
  });

  it('parks a message that fails parse at once, without retrying it', async () => {
    const topic = await scope.createTopic('unparsable', { numPartitions: 1 });
    const { groupId } = await newGroup();
    const parsed: string[] = [];
    const handled: string[] = [];
    const runner = await runConsumer<Counted>({
      kafka: scope.kafka(),
      groupId,
      topics: [topic],
      retry: { attempts: 5, initialMs: 10 },
      deadLetters: { store },
      parse: (value) => {
        const counted = value as Counted;
        parsed.push(`${counted.key}${counted.n}`);
        if (counted.n < 0) throw new Error('n must not be negative');
        return counted;
      },
      handle: async ({ value }) => void handled.push(`${value.key}${value.n}`),
    });
    try {
      await produce(topic, [{ key: 'x', n: 0 }, { key: 'x', n: -1 }, { key: 'x', n: 2 }, { key: 'y', n: 0 }]);
      await waitFor('y0 handled', () => handled.includes('y0'));
      expect(handled).toEqual(['x0', 'y0']);
      expect(parsed.filter((entry) => entry === 'x-1')).toHaveLength(1);
      expect(await store.listParked(groupId)).toEqual([{ key: 'x', messages: 2, firstError: 'unparsable message: n must not be negative', firstParkedAt: expect.any(Date) }]);
    } finally {
      await runner.stop();
    }
  });
});
