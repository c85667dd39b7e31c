import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { inbox, pgPoolDatabase } from './inbox';
import { runConsumer } from './runner';

// A handler that writes a chunk's rows in one statement (handleChunk) keeps the
// guarantees of one that writes a message at a time: every message applied once, and a
// poison message parks its key, its chunk going through `handle` one by one.
const scope = testScope();

interface Counted {
  key: string;
  n: number;
}

describe('runConsumer with a chunk handler', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(() => pool.end());

  it('applies each message once, in one statement a chunk, and parks a poison key behind its failure', async () => {
    const topic = await scope.createTopic('events', { numPartitions: 3 });
    const table = `"${scope.schema}".applied`;
    await pool.query(`create table ${table} (id text primary key, key text not null, n int not null)`);
    const sent: Counted[] = Array.from({ length: 600 }, (_, i) => ({ key: `k${i % 12}`, n: Math.floor(i / 12) }));
    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: sent.map((value) => ({ key: value.key, value: JSON.stringify(value) })) });
    await producer.disconnect();

    const isPoison = ({ key, n }: Counted) => key === 'k5' && n === 20;
    let chunks = 0;
    const store = sqlDeadLetterStore(pool, { schema: scope.schema });
    const groupId = `chunks-${scope.id.replace(/_/g, '-')}`;
    const runner = await runConsumer<Counted>({
      kafka: scope.kafka(),
      groupId,
      topics: [topic],
      inbox: inbox(pgPoolDatabase(pool), { schema: scope.schema }),
      retry: { attempts: 2, initialMs: 5 },
      deadLetters: { store },
      handle: async ({ messageId, value }, { query }) => {
        if (isPoison(value)) throw new Error('k5/20 is poison');
        await query?.(`insert into ${table} (id, key, n) values ($1, $2, $3)`, [messageId, value.key, value.n]);
      },
      handleChunk: async (messages, { query }) => {
        chunks += 1;
        if (messages.some(({ value }) => isPoison(value))) throw new Error('a poison message in this chunk');
        await query(`insert into ${table} (id, key, n) select * from unnest($1::text[], $2::text[], $3::int[])`, [
          messages.map(({ messageId }) => messageId),
          messages.map(({ value }) => value.key),
          messages.map(({ value }) => value.n),
        ]);
      },
    });
    try {
      // k5 has 50 messages: 20 before the poison, which parks with the 29 after it.
      const applied = async () => Number((await pool.query(`select count(*) from ${table}`)).rows[0].count);
      await eventually(async () => (await applied()) === 600 - 30 && (await store.listParked(groupId))[0]?.messages === 30, '570 applied and 30 parked', {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      const { rows } = await pool.query<{ key: string; ns: number[] }>(`select key, array_agg(n order by n) as ns from ${table} group by key`);
      const byKey = new Map(rows.map((row) => [row.key, row.ns]));
      expect(byKey.get('k5')).toEqual(Array.from({ length: 20 }, (_, n) => n));
      for (const key of ['k0', 'k4', 'k6', 'k11']) expect(byKey.get(key)).toEqual(Array.from({ length: 50 }, (_, n) => n));
      // Far fewer statements than messages: the chunks did the writing.
      expect(chunks).toBeLessThan(200);
    } finally {
      await runner.stop();
    }
  });
});
