import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createEventStore, eventIdFor, type EventStore } from '@ordo/eventstore';
import { pgliteSql } from '@ordo/runtime';
import { sqlCheckpointStore } from '../checkpoints';
import { inbox } from '../consumer/inbox';
import type { ConsumedMessage } from '../consumer/processor';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { contextRouting } from '../relay/routing';
import { runEmbeddedConsumer, type EmbeddedConsumer } from './bus';

// The poison-message scenario of the Kafka runner, on the embedded bus: one PGlite
// database holds the store, the checkpoints, the inbox and the dead letters.
type Counted = { stream: string; data: { key: string; n: number } };

const eventually = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (const deadline = Date.now() + 10_000; !(await check()); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
};

describe('the embedded bus', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-embedded-bus-'));
  let store: EventStore;
  let db: PGlite;
  let consumer: EmbeddedConsumer | undefined;

  beforeAll(async () => {
    store = await createEventStore(`pglite://${folder}`, { schema: 'orders' });
    db = new PGlite(); // the consumer's own tables: in embedded mode, a schema of the same database
  });
  afterAll(async () => {
    await consumer?.stop();
    await store.close();
    await db.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const append = (key: string, n: number) =>
    store.appendToStream(`order-${key}`, [{ id: eventIdFor(`${key}-${n}`, 0), type: 'Counted', data: { key, n }, metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 } }], { expectedRevision: 'any' });

  it('delivers in order per key, parks a poison key behind its failure, redrives it, and resumes from its checkpoint', async () => {
    const sql = pgliteSql(db);
    let poisoned = true;
    const applied: string[] = [];
    const seen: ConsumedMessage<Counted>[] = [];
    const options = {
      groupId: 'orders-view',
      topics: ['ordo.orders.events'],
      sources: [{ name: 'orders', store, routing: contextRouting('orders') }],
      checkpoints: sqlCheckpointStore(sql, { schema: 'bus' }),
      inbox: inbox(sql, { schema: 'bus' }),
      deadLetters: { store: sqlDeadLetterStore(sql, { schema: 'bus' }) },
      retry: { attempts: 2, initialMs: 1 },
      handle: async (message: ConsumedMessage<Counted>) => {
        seen.push(message);
        const { key, n } = message.value.data;
        if (poisoned && key === 'b' && n === 1) throw new Error('b1 is poison');
        applied.push(`${key}${n}`);
      },
    };
    for (let n = 0; n < 3; n++) for (const key of ['a', 'b', 'c']) await append(key, n);
    consumer = await runEmbeddedConsumer<Counted>(options);

    await eventually(() => applied.length === 7, 'a and c applied, b up to its poison');
    expect(applied.filter((x) => x.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
    expect(applied.filter((x) => x.startsWith('c'))).toEqual(['c0', 'c1', 'c2']);
    expect(applied.filter((x) => x.startsWith('b'))).toEqual(['b0']);
    const [parked] = await options.deadLetters.store.listParked('orders-view');
    expect(parked).toMatchObject({ key: 'order-b', messages: 2, firstError: 'b1 is poison' });
    // A handler reads the same message shape the Kafka bus gives it.
    expect(seen[0]).toMatchObject({ topic: 'ordo.orders.events', key: 'order-a', headers: { 'event-type': 'Counted', 'schema-version': '1' } });
    expect(seen[0]?.messageId).toBe(eventIdFor('a-0', 0));

    poisoned = false;
    expect(await consumer.redrive('order-b')).toEqual({ applied: 2, remaining: 0 });
    expect(applied.filter((x) => x.startsWith('b'))).toEqual(['b0', 'b1', 'b2']);

    // Stopped and started again, it resumes after its checkpoint: nothing applied twice.
    await consumer.stop();
    await append('b', 3);
    consumer = await runEmbeddedConsumer<Counted>(options);
    await eventually(() => applied.includes('b3'), 'b3');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(applied).toHaveLength(10);
    expect(new Set(applied).size).toBe(10);
  });
});
