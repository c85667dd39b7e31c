import { PGlite } from '@electric-sql/pglite';
import { createEventStore, eventIdFor } from '@ordo/eventstore';
import { pgliteSql } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import { embeddedHub } from '../bus';
import { sqlDeadLetterStore } from '../dead-letters/store';

// As on Kafka (consumer/chunk-handler.int.spec.ts): the embedded bus hands a consumer with
// an inbox and a handleChunk runs of events, a chunk a transaction; a chunk that fails goes
// one message at a time, so the poison parks its own key with what follows it, and the
// other keys, in the same chunks, are applied once each.
interface Counted {
  key: string;
  n: number;
}

describe('the embedded bus with a chunk handler', () => {
  it('applies runs of events in chunks, and a chunk that fails parks only the failing key', async () => {
    const db = new PGlite();
    const sql = pgliteSql(db);
    const store = await createEventStore('pglite:memory', { schema: 'counters' });
    const bus = embeddedHub().busFor({ sql, schema: 'consumer' });
    try {
      await bus.publish('counters', store);
      // Appended before the consumer starts, keys interleaved: its first read is one long run.
      for (let n = 0; n < 20; n++)
        for (let k = 0; k < 6; k++) {
          const stream = `counter-k${k}`;
          const event = {
            id: eventIdFor(`${stream}/${n}`, 0),
            type: 'Counted',
            data: { key: `k${k}`, n },
            metadata: { correlationId: stream, causationId: stream },
          };
          await store.appendToStream(stream, [{ ...event, metadata: { ...event.metadata, schemaVersion: 1 } }], { expectedRevision: 'any' });
        }
      await sql.query(`create table counted (id text primary key, key text not null, n int not null)`);

      const isPoison = ({ key, n }: Counted) => key === 'k3' && n === 8;
      const chunkSizes: number[] = [];
      const groupId = 'counting';
      await bus.consume<Counted>({
        groupId,
        topics: ['ordo.counters.events'],
        inbox: true,
        retry: { attempts: 2, initialMs: 5 },
        parse: (value) => (value as { data: Counted }).data,
        handle: async ({ messageId, value }, { query }) => {
          if (isPoison(value)) throw new Error('k3/8 is poison');
          await query?.(`insert into counted (id, key, n) values ($1, $2, $3)`, [messageId, value.key, value.n]);
        },
        handleChunk: async (messages, { query }) => {
          chunkSizes.push(messages.length);
          if (messages.some(({ value }) => isPoison(value))) throw new Error('a poison message in this chunk');
          for (const { messageId, value } of messages) await query(`insert into counted (id, key, n) values ($1, $2, $3)`, [messageId, value.key, value.n]);
        },
      });

      // k3 has 20 events: 8 before the poison, which parks with the 11 after it.
      const deadLetters = sqlDeadLetterStore(sql, { schema: 'consumer' });
      const applied = async () => Number((await sql.query<{ count: number }>(`select count(*)::int as count from counted`)).rows[0]?.count);
      await eventually(async () => (await applied()) === 120 - 12 && (await deadLetters.listParked(groupId))[0]?.messages === 12, '108 applied and 12 parked', {
        timeoutMs: 20_000,
        intervalMs: 20,
      });
      const parked = await deadLetters.listParked(groupId);
      expect(parked.map(({ key, messages }) => ({ key, messages }))).toEqual([{ key: 'counter-k3', messages: 12 }]);
      const { rows } = await sql.query<{ key: string; ns: number[] }>(`select key, array_agg(n order by n) as ns from counted group by key order by key`);
      const everyN = Array.from({ length: 20 }, (_, n) => n);
      expect(rows).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5'].map((key) => ({ key, ns: key === 'k3' ? everyN.slice(0, 8) : everyN })));
      // Runs of events were handed over together, not one a transaction.
      expect(Math.max(...chunkSizes)).toBeGreaterThan(1);
    } finally {
      await bus.close();
      await store.close();
      await db.close();
    }
  });
});
