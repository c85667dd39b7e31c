import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { eventIdFor } from '../ids';
import type { EventData, PositionedEvent } from '../types';
import { pgPoolDriver } from './driver';
import { collect, countingReads, observed, readAll } from './hand-over.fixtures';
import { postgresEventStore, type PostgresEventStore } from './store';

// A store on a PostgreSQL server hands what it appends to its live subscriptions too
// (store.ts, "Handing over"), where transactions overlap and commit out of position order.
// These check that a subscription then gets exactly what a read would have given it, in
// the reading order, once each: an append is taken from memory only once no older
// transaction can still commit an event before it.

const scope = testScope();
const metadata = { correlationId: 'c', causationId: 'c', schemaVersion: 1 };
const event = (commandId: string, data: unknown): EventData => ({ id: eventIdFor(commandId, 0), type: 'Happened', data, metadata });

const idsOf = (events: readonly PositionedEvent[]) => events.map((e) => `${e.id} ${e.checkpoint}`);

describe('a store on a PostgreSQL server hands its appends to its subscriptions', () => {
  const clients: pg.Client[] = [];
  const stores: PostgresEventStore[] = [];
  // A store each test, in a schema of its own beside the file's.
  const schemas: string[] = [];
  const open = async () => {
    const schema = `${scope.schema}_${schemas.length + 1}`;
    schemas.push(schema);
    const counting = countingReads(pgPoolDriver(scope.env.databaseUrl));
    const store = await postgresEventStore(counting.driver, { schema });
    stores.push(store);
    return { store, reads: counting.reads, schema };
  };
  const connect = async () => {
    const client = new pg.Client({ connectionString: scope.env.databaseUrl });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(() => scope.db());
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    const cleaner = await connect();
    for (const schema of schemas) await cleaner.query(`drop schema if exists "${schema}" cascade`);
    await Promise.all(clients.map((client) => client.end()));
  });

  it('gives a live subscription appends made one after another without reading them back', async () => {
    const { store, reads } = await open();
    const { seen, subscription } = await collect(store);
    const readsWhenLive = reads();

    for (let i = 0; i < 20; i++) await store.appendToStream(`order-${i}`, [event(`one-${i}`, { i })], { expectedRevision: 'any' });

    await eventually(() => seen.length === 20, 'every event');
    // Exactly as a read returns them: data in jsonb's key order, revisions, times, checkpoints.
    expect(seen.map(observed)).toEqual((await readAll(store)).map(observed));
    // Without the handing over, each append woke a read. An idle subscription still polls
    // (after 100 ms), so a stall between two appends may cost one.
    expect(reads() - readsWhenLive).toBeLessThan(10);
    await subscription.stop();
  });

  it('passes on an append that an older transaction could still precede only through a read, in the reading order', async () => {
    const { store, schema } = await open();
    const { seen, subscription } = await collect(store);
    // An older transaction appends and stays open: its event comes first in the reading order.
    const older = await connect();
    await older.query('begin');
    await older.query(`select * from "${schema}".ordo_append($1, 'any', $2::jsonb)`, ['order-older', JSON.stringify([event('older', { n: 0 })])]);

    // This append commits first, and must not be passed on before the older one's event.
    await store.appendToStream('order-a', [event('a', { n: 1 })], { expectedRevision: 'any' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual([]);

    await older.query('commit');
    await store.appendToStream('order-b', [event('b', { n: 2 })], { expectedRevision: 'any' });

    await eventually(() => seen.length === 3, 'all three events');
    const stored = await readAll(store);
    expect(stored.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(idsOf(seen)).toEqual(idsOf(stored));
    await subscription.stop();
  });

  it('hands an append over past an older transaction that has written no event here, which a read would wait for', async () => {
    const { store, reads } = await open();
    const { seen, subscription } = await collect(store);
    // Older than the append, and running: it holds back every reader of the cluster, but it
    // has not written this store's events, and no longer can (an append must be the first write).
    const older = await connect();
    await older.query('begin');
    await older.query('select pg_current_xact_id()');
    const readsBefore = reads();
    try {
      await store.appendToStream('order-a', [event('past-older', { n: 1 })], { expectedRevision: 'any' });

      await eventually(() => seen.length === 1, 'the event, while the older transaction runs');
      expect(reads()).toBe(readsBefore);
    } finally {
      await older.query('commit');
    }
    expect(idsOf(seen)).toEqual(idsOf(await readAll(store)));
    await subscription.stop();
  });

  it('gives exactly what a read returns while its own appends and another writer’s overlap', async () => {
    const { store, schema } = await open();
    const { seen, subscription } = await collect(store);
    const writers = await Promise.all(Array.from({ length: 3 }, connect));

    await Promise.all([
      // The store's own: the group commit keeps two round trips in flight, which overlap.
      ...Array.from({ length: 60 }, (_, i) => store.appendToStream(`order-${i}`, [event(`own-${i}`, { i })], { expectedRevision: 'any' })),
      // Others', each holding its transaction open a random while after its append.
      ...writers.map(async (client, writer) => {
        for (let i = 0; i < 10; i++) {
          await client.query('begin');
          await client.query(`select * from "${schema}".ordo_append($1, 'any', $2::jsonb)`, [
            `other-${writer}`,
            JSON.stringify([event(`other-${writer}-${i}`, { writer, i })]),
          ]);
          await client.query('select pg_sleep($1)', [Math.random() * 0.02]);
          await client.query('commit');
        }
      }),
    ]);

    await eventually(() => seen.length >= 90, 'every event');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.map(observed)).toEqual((await readAll(store)).map(observed));
    await subscription.stop();
  });
});
