import type { PgliteDatabase } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import { eventIdFor } from '../ids';
import { openPgliteThread } from '../pglite/thread';
import type { EventData, PositionedEvent } from '../types';
import { pgliteDriver } from './driver';
import { collect, countingReads, observed, readAll } from './hand-over.fixtures';
import { postgresEventStore } from './store';

// A store on PGlite hands what it appends to its live subscriptions (store.ts, "Handing
// over"). These check that they then get exactly what a read would have given them, in
// order, once each, and that anything not handed over is still read.

const metadata = { correlationId: 'c', causationId: 'c', schemaVersion: 1 };
const event = (commandId: string, data: unknown, type = 'Happened'): EventData => ({ id: eventIdFor(commandId, 0), type, data, metadata });

describe('a store on PGlite hands its appends to its subscriptions', () => {
  let db: PgliteDatabase;
  let schemaCount = 0;
  const open = async () => {
    const counting = countingReads(pgliteDriver(db, { ownsDatabase: false }));
    const store = await postgresEventStore(counting.driver, { schema: `hand_over_${(schemaCount += 1)}` });
    return { store, reads: counting.reads };
  };

  beforeAll(async () => {
    db = await openPgliteThread(undefined);
  });
  afterAll(() => db.close());

  it('gives live subscriptions exactly what a read returns, without reading it back', async () => {
    const { store, reads } = await open();
    const everything = await collect(store);
    const onlyShipped = await collect(store, { eventTypes: ['Shipped'] });
    const readsWhenLive = reads();

    // Concurrent appends: the group commit takes some of them together. (Two appends to one
    // stream in a shared round trip go another way, one after another, and are read.)
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.appendToStream(`order-${i}`, [event(`c${i}`, { zeta: i, alpha: { b: 'x', a: [i] } }, i % 3 === 0 ? 'Shipped' : 'Placed')], {
          expectedRevision: 'any',
        }),
      ),
    );

    await eventually(() => everything.seen.length >= 60 && onlyShipped.seen.length >= 20, 'every event handed over');
    const readsWhenHanded = reads();
    const stored = await readAll(store);
    expect(everything.seen.map(observed)).toEqual(stored.map(observed));
    expect(onlyShipped.seen.map(observed)).toEqual(stored.filter((e) => e.type === 'Shipped').map(observed));
    // jsonb orders keys its own way: what is handed over keeps the stored order.
    expect(everything.seen[0]?.data).toEqual({ zeta: 0, alpha: { b: 'x', a: [0] } });
    expect(JSON.stringify(everything.seen[0]?.data)).toBe(JSON.stringify(stored[0]?.data));
    // Without the handing over, each subscription read after each append it was woken by.
    expect(readsWhenHanded - readsWhenLive).toBe(0);
    await Promise.all([everything.subscription.stop(), onlyShipped.subscription.stop()]);
  });

  it('reads past a gap in positions, which an append that failed leaves', async () => {
    const { store, reads } = await open();
    const { seen, subscription } = await collect(store);
    await store.appendToStream('order-a', [event('first', { n: 1 })], { expectedRevision: 'no_stream' });
    await eventually(() => seen.length === 1, 'the first event');

    // Repeats the first event beside a new one: refused once its insert has taken positions.
    await expect(store.appendToStream('order-a', [event('first', { n: 1 }), event('second', { n: 2 })], { expectedRevision: 'any' })).rejects.toThrow(
      /repeats some, not all/,
    );
    const readsBefore = reads();
    await store.appendToStream('order-a', [event('third', { n: 3 })], { expectedRevision: 'any' });

    await eventually(() => seen.length === 2, 'the third event');
    expect(seen.map((e) => e.data)).toEqual([{ n: 1 }, { n: 3 }]);
    expect((seen[1]?.position as bigint) - (seen[0]?.position as bigint)).toBeGreaterThan(1n);
    // It did not follow what the subscription had seen, so the subscription read it.
    expect(reads()).toBeGreaterThan(readsBefore);
    await subscription.stop();
  });

  it('reads what another store appended to the same tables, and takes each event once, in order', async () => {
    const { store, reads } = await open();
    // A second store on the same schema of the same database: its appends are never handed to the first's subscriptions.
    const other = await postgresEventStore(pgliteDriver(db, { ownsDatabase: false }), { schema: `hand_over_${schemaCount}` });
    const { seen, subscription } = await collect(store);
    const readsWhenLive = reads();

    for (let i = 0; i < 10; i++) {
      await other.appendToStream(`order-${i}`, [event(`other-${i}`, { i })], { expectedRevision: 'any' });
      await store.appendToStream(`order-${i}`, [event(`own-${i}`, { i })], { expectedRevision: 'any' });
    }

    await eventually(() => seen.length >= 20, 'every event');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.map(observed)).toEqual((await readAll(store)).map(observed));
    expect(reads()).toBeGreaterThan(readsWhenLive);
    await subscription.stop();
  });

  it('hands nothing to a subscription that gathers: it reads at its gatherings', async () => {
    const { store, reads } = await open();
    const gathering: PositionedEvent[] = [];
    let goLive = () => undefined as void;
    const live = new Promise<void>((resolve) => (goLive = resolve));
    const subscription = store.subscribeToAll({ gatherMs: 100, handler: (e) => void gathering.push(e), onLive: goLive });
    await live;
    const readsWhenLive = reads();

    for (let i = 0; i < 5; i++) await store.appendToStream(`order-${i}`, [event(`g-${i}`, { i })], { expectedRevision: 'any' });

    await eventually(() => gathering.length === 5, 'every event');
    expect(gathering.map(observed)).toEqual((await readAll(store)).map(observed));
    expect(reads()).toBeGreaterThan(readsWhenLive);
    await subscription.stop();
  });
});
