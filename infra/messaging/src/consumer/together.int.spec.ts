import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { runConsumer } from './runner';

// A consumer without an inbox whose handler is idempotent (a command handler's, by command
// id) may take the messages of a key that wait in a fetch at once (handleTogether): all or
// none. It keeps the guarantees of one message at a time: each key's effects in order, a
// poison message parking its key behind it, and a failed run handled again one by one.
const scope = testScope();

interface Counted {
  key: string;
  n: number;
}

describe('runConsumer with handleTogether', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(() => pool.end());

  it("hands a key's waiting messages over at once, and after a failed run takes them one by one, in order, parking a poison key", async () => {
    const topic = await scope.createTopic('commands', { numPartitions: 2 });
    const sent: Counted[] = Array.from({ length: 600 }, (_, i) => ({ key: `k${i % 6}`, n: Math.floor(i / 6) }));
    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: sent.map((value) => ({ key: value.key, value: JSON.stringify(value) })) });
    await producer.disconnect();

    // Each key's effects as a stream would hold them, idempotent by message id like a command handler's.
    const applied = new Map<string, number[]>();
    const seen = new Set<string>();
    const apply = (messageId: string, { key, n }: Counted) => {
      if (seen.has(messageId)) return;
      seen.add(messageId);
      applied.set(key, [...(applied.get(key) ?? []), n]);
    };
    const isPoison = ({ key, n }: Counted) => key === 'k5' && n === 20;
    // k2's first run fails though nothing in it is poison: a store that failed for a moment.
    let k2Failed = false;
    let together = 0;

    const store = sqlDeadLetterStore(pool, { schema: scope.schema });
    const groupId = `together-${scope.id.replace(/_/g, '-')}`;
    const runner = await runConsumer<Counted>({
      kafka: scope.kafka(),
      groupId,
      topics: [topic],
      concurrentSequences: 4,
      retry: { attempts: 2, initialMs: 5 },
      deadLetters: { store },
      handle: async ({ messageId, value }) => {
        if (isPoison(value)) throw new Error('k5/20 is poison');
        apply(messageId, value);
      },
      handleTogether: async (messages) => {
        if (new Set(messages.map(({ key }) => key)).size !== 1) throw new Error('a run mixes keys');
        if (messages.some(({ value }) => isPoison(value))) throw new Error('a poison message in this run');
        if (messages[0]?.key === 'k2' && !k2Failed) {
          k2Failed = true;
          throw new Error('the store failed for a moment');
        }
        together += messages.length;
        for (const { messageId, value } of messages) apply(messageId, value);
      },
    });
    try {
      // k5 has 100 messages: 20 before the poison, which parks with the 79 after it.
      const count = () => [...applied.values()].reduce((sum, ns) => sum + ns.length, 0);
      await eventually(async () => count() === 600 - 80 && (await store.listParked(groupId))[0]?.messages === 80, '520 applied and 80 parked', {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      expect(applied.get('k5')).toEqual(Array.from({ length: 20 }, (_, n) => n));
      for (const key of ['k0', 'k1', 'k2', 'k3', 'k4']) expect(applied.get(key)).toEqual(Array.from({ length: 100 }, (_, n) => n));
      expect(k2Failed).toBe(true);
      // Most went together: each key's messages wait in every fetch.
      expect(together).toBeGreaterThan(300);
    } finally {
      await runner.stop();
    }
  });
});
