import pg from 'pg';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { eventually, testScope } from '@ordo/testing';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { readHeaders } from '../headers';
import { deadLetterTopic, provisionTopics } from '../topics';
import { inbox, pgPoolDatabase } from './inbox';
import { runConsumer } from './runner';

// What only the Kafka runner does with a parked message: it also produces it to the
// consumer's DLQ topic, for people to see. Parking itself, on both buses, is in the
// consumer contract (contract/bus-contract.ts).
const scope = testScope();

interface Counted {
  key: string;
  n: number;
}

const patience = { timeoutMs: 30_000, intervalMs: 50 };

describe('runConsumer with a dead-letter topic', () => {
  let pool: pg.Pool;
  let admin: Admin;

  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
    admin = scope.kafka().admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
    await pool.end();
  });

  const readAll = async (topic: string, expected: number): Promise<KafkaMessage[]> => {
    const received: KafkaMessage[] = [];
    const reader: Consumer = scope.kafka().consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void received.push(message) });
    await eventually(() => received.length >= expected, `${expected} messages on ${topic}`, patience);
    await reader.disconnect();
    return received;
  };

  it('produces each parked message to the DLQ topic, with its headers and where it came from and why', async () => {
    const topic = await scope.createTopic('events', { numPartitions: 3 });
    const groupId = `poison-${scope.id.replace(/_/g, '-')}`;
    const dlq = deadLetterTopic(groupId);
    await provisionTopics(admin, [dlq]);
    const store = sqlDeadLetterStore(pool, { schema: scope.schema });
    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages: Counted[] = [
      { key: 'x', n: 0 },
      { key: 'x', n: 1 },
      { key: 'x', n: 2 },
      { key: 'y', n: 0 },
    ];
    await producer.send({ topic, messages: messages.map((value) => ({ key: value.key, value: JSON.stringify(value), headers: { origin: 'test' } })) });
    await producer.disconnect();

    const runner = await runConsumer<Counted>({
      kafka: scope.kafka(),
      groupId,
      topics: [topic],
      inbox: inbox(pgPoolDatabase(pool), { schema: scope.schema }),
      retry: { attempts: 2, initialMs: 10 },
      deadLetters: { store, topic: dlq.name },
      handle: async ({ value }) => {
        if (value.key === 'x' && value.n === 1) throw new Error('x1 is poison');
      },
    });
    try {
      await eventually(async () => (await store.listParked(groupId))[0]?.messages === 2, 'x1 and x2 parked', patience);
      const parked = await store.parkedMessages(groupId, 'x');
      const dead = await readAll(dlq.name, 2);
      expect(dead.map((message) => JSON.parse(message.value?.toString() ?? 'null'))).toEqual([
        { key: 'x', n: 1 },
        { key: 'x', n: 2 },
      ]);
      expect(dead.map((message) => message.key?.toString())).toEqual(['x', 'x']);
      expect(readHeaders(dead[0]?.headers)).toEqual({
        origin: 'test',
        'dlq-error': 'x1 is poison',
        'dlq-topic': topic,
        'dlq-partition': String(parked[0]?.partition),
        'dlq-offset': parked[0]?.offset,
      });
      expect(readHeaders(dead[1]?.headers)['dlq-error']).toBe("parked behind the failed message of key 'x'");
      expect(dead.map((message) => readHeaders(message.headers)['dlq-offset'])).toEqual(parked.map((message) => message.offset));
    } finally {
      await runner.stop();
      await admin.deleteTopics({ topics: [dlq.name] }).catch(() => undefined);
    }
  });
});
