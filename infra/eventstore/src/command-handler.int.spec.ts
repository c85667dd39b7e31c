import { randomUUID } from 'node:crypto';
import { commandHandler, createEventStore, WrongExpectedRevisionError, type EventStore } from './index';

const read = async (store: EventStore, stream: string) => {
  const events = [];
  for await (const event of store.readStream(stream)) events.push(event);
  return events;
};

// A counter that refuses to go above a limit: enough to show load, decide, append,
// conflicts, repeats and snapshots on the embedded store.
type CounterEvent = { type: 'Incremented'; data: { by: number } };
const counter = {
  initialState: () => ({ total: 0 }),
  evolve: (state: { total: number }, event: CounterEvent) => ({ total: state.total + event.data.by }),
};
const increment =
  (by: number) =>
  (state: { total: number }): CounterEvent[] => {
    if (state.total + by > 100) throw new Error('over the limit');
    return [{ type: 'Incremented', data: { by } }];
  };
/** The store, counting the stream reads made through it. */
const countingReads = (store: EventStore) => {
  let reads = 0;
  const counted: EventStore = {
    ...store,
    readStream: (name, options) => {
      reads += 1;
      return store.readStream(name, options);
    },
    appendToStream: (name, events, options) => store.appendToStream(name, events, options),
  };
  return { counted, reads: () => reads };
};

/** The store, counting the appends made through it. */
const countingAppends = (store: EventStore) => {
  let appends = 0;
  const counted: EventStore = {
    ...store,
    readStream: (name, options) => store.readStream(name, options),
    appendToStream: (name, events, options) => {
      appends += 1;
      return store.appendToStream(name, events, options);
    },
  };
  return { counted, appends: () => appends };
};

const meta = (commandId: string) => ({ commandId, correlationId: `corr-${commandId}` });

describe('commandHandler', () => {
  // One embedded store (PGlite takes seconds to start); a stream per test.
  let store: EventStore;
  let streams = 0;
  let stream = '';
  beforeAll(async () => {
    store = await createEventStore('pglite:memory', { schema: 'counters' });
  });
  beforeEach(() => {
    stream = `counter-${++streams}`;
  });
  afterAll(() => store.close());

  it('appends the decided events with ids and metadata from the command', async () => {
    const handler = commandHandler({ store, aggregate: counter });
    const result = await handler.handle(stream, meta('c1'), increment(2));
    expect(result).toMatchObject({ revision: 0n, repeated: false, state: { total: 2 } });
    const [event] = await read(store, stream);
    expect(event?.metadata).toMatchObject({ commandId: 'c1', correlationId: 'corr-c1', causationId: 'c1', schemaVersion: 1 });
  });

  it('answers a repeated command id with its first events and appends nothing', async () => {
    const handler = commandHandler({ store, aggregate: counter });
    await handler.handle(stream, meta('c1'), increment(2));
    await handler.handle(stream, meta('c2'), increment(3));
    const again = await handler.handle(stream, meta('c1'), increment(50));
    expect(again).toMatchObject({ repeated: true, events: [{ type: 'Incremented', data: { by: 2 } }], state: { total: 5 } });
    expect(await read(store, stream)).toHaveLength(2);
  });

  it('decides again on the fresh state when another process wins, so a rule sees every event', async () => {
    // A handler per process: twelve processes, one command each, on one stream.
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => commandHandler({ store, aggregate: counter, retries: 20 }).handle(stream, meta(`c${i}`), increment(10))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
      'Error: over the limit',
      'Error: over the limit',
    ]);
    expect((await commandHandler({ store, aggregate: counter }).read(stream)).state.total).toBe(100);
  });

  it('decides the commands for one stream that arrive at once in turn and appends those that waited together, each answered as if alone', async () => {
    const { counted, appends } = countingAppends(store);
    const handler = commandHandler({ store: counted, aggregate: counter, retries: 0 });

    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => handler.handle(stream, meta(`c${i}`), increment(10))));

    const handled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(handled.map((result) => [result.revision, result.state.total]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
      Array.from({ length: 10 }, (_, i) => [BigInt(i), (i + 1) * 10]),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
      'Error: over the limit',
      'Error: over the limit',
    ]);
    expect(appends()).toBe(2); // the first alone, then the nine that waited and fit
    const stored = await read(store, stream);
    expect(stored.map((event) => event.metadata.commandId)).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`));
  });

  it('answers a repeat among commands decided together with its first events, and a client expected revision alone', async () => {
    const handler = commandHandler({ store, aggregate: counter });
    await handler.handle(stream, meta('c1'), increment(1));

    const [repeat, fresh, matching, stale] = await Promise.allSettled([
      handler.handle(stream, meta('c1'), increment(50)),
      handler.handle(stream, meta('c2'), increment(2)),
      handler.handle(stream, meta('c3'), increment(3), { expectedRevision: 1n }),
      handler.handle(stream, meta('c4'), increment(4), { expectedRevision: 1n }),
    ]);

    expect(repeat).toMatchObject({ status: 'fulfilled', value: { repeated: true, events: [{ data: { by: 1 } }] } });
    expect(fresh).toMatchObject({ status: 'fulfilled', value: { repeated: false, revision: 1n, state: { total: 3 } } });
    expect(matching).toMatchObject({ status: 'fulfilled', value: { revision: 2n, state: { total: 6 } } });
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
  });

  it('handles commands together in one append, each answered as if alone, and a repeat among them with its first events', async () => {
    const { counted, appends } = countingAppends(store);
    const handler = commandHandler({ store: counted, aggregate: counter });
    await handler.handle(stream, meta('c1'), increment(1));

    const handled = await handler.handleTogether(stream, [
      { metadata: meta('c2'), decide: increment(2) },
      { metadata: meta('c1'), decide: increment(50) },
      { metadata: meta('c3'), decide: increment(3) },
    ]);

    expect(handled.map(({ revision, repeated, state }) => ({ revision, repeated, total: state.total }))).toEqual([
      { revision: 1n, repeated: false, total: 3 },
      { revision: 1n, repeated: true, total: 3 },
      { revision: 2n, repeated: false, total: 6 },
    ]);
    expect(appends()).toBe(2); // c1 alone, then c2 and c3 together
    expect((await read(store, stream)).map((event) => event.metadata.commandId)).toEqual(['c1', 'c2', 'c3']);
  });

  it('appends nothing of commands handled together when one of them is refused, and each can then go alone', async () => {
    const handler = commandHandler({ store, aggregate: counter });
    await handler.handle(stream, meta('c1'), increment(90));

    const together = handler.handleTogether(stream, [
      { metadata: meta('c2'), decide: increment(5) },
      { metadata: meta('c3'), decide: increment(10) },
      { metadata: meta('c4'), decide: increment(1) },
    ]);

    await expect(together).rejects.toThrow('over the limit');
    expect(await read(store, stream)).toHaveLength(1);
    // The caller's fallback: one by one, in order, stopping at the refusal.
    await expect(handler.handle(stream, meta('c2'), increment(5))).resolves.toMatchObject({ revision: 1n, state: { total: 95 } });
    await expect(handler.handle(stream, meta('c3'), increment(10))).rejects.toThrow('over the limit');
  });

  it('holds commands handled together apart from the commands queued around them, in order', async () => {
    const { counted, appends } = countingAppends(store);
    const handler = commandHandler({ store: counted, aggregate: counter });

    const first = handler.handle(stream, meta('c1'), increment(1));
    const waiting = handler.handle(stream, meta('c2'), increment(2));
    const together = handler.handleTogether(stream, [
      { metadata: meta('c3'), decide: increment(3) },
      { metadata: meta('c4'), decide: increment(4) },
    ]);
    const after = handler.handle(stream, meta('c5'), increment(5));
    await Promise.all([first, waiting, together, after]);

    expect(appends()).toBe(4); // c1; c2 (waited, not with the group); c3 and c4; c5
    expect((await read(store, stream)).map((event) => event.metadata.commandId)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it('decides the next command on the state it remembers, without reading the stream again', async () => {
    const { counted, reads } = countingReads(store);
    const handler = commandHandler({ store: counted, aggregate: counter });
    await handler.handle(stream, meta('c1'), increment(1));
    const readsForTheFirst = reads();
    await handler.handle(stream, meta('c2'), increment(1));
    await handler.handle(stream, meta('c3'), increment(1));
    expect(reads()).toBe(readsForTheFirst);
    expect((await read(store, stream)).map((event) => event.data)).toEqual([{ by: 1 }, { by: 1 }, { by: 1 }]);
  });

  it('takes a stream it never loaded to be new without reading it, and reads it when it exists after all', async () => {
    const { counted, reads } = countingReads(store);
    await commandHandler({ store: counted, aggregate: counter }).handle(stream, meta('c1'), increment(10));
    expect(reads()).toBe(0);

    // Another process (a handler that never saw the stream) guesses wrong: its append fails, it reads, it decides on what it read.
    const elsewhere = commandHandler({ store: counted, aggregate: counter });
    expect(await elsewhere.handle(stream, meta('c2'), increment(5))).toMatchObject({ repeated: false, state: { total: 15 }, revision: 1n });
    expect(reads()).toBe(1);
    expect((await read(store, stream)).map((event) => event.data)).toEqual([{ by: 10 }, { by: 5 }]);
  });

  it('reads before refusing on a remembered state, since another process may have changed the stream', async () => {
    const here = commandHandler({ store, aggregate: counter });
    const elsewhere = commandHandler({ store, aggregate: counter });
    await here.handle(stream, meta('c1'), increment(60));
    await elsewhere.handle(stream, meta('c2'), increment(-50));
    // 60 + 50 is over the limit on what `here` remembers; on the stream it is 10 + 50.
    expect(await here.handle(stream, meta('c3'), increment(50))).toMatchObject({ repeated: false, state: { total: 60 }, revision: 2n });
    // And an append on a stale memory fails and is decided again on what it reads.
    await elsewhere.handle(stream, meta('c4'), increment(30));
    expect(await here.handle(stream, meta('c5'), increment(5))).toMatchObject({ state: { total: 95 }, revision: 4n });
  });

  it('gives up after its retries, with the conflict', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => commandHandler({ store, aggregate: counter, retries: 0 }).handle(stream, meta(`c${i}`), increment(1))),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure).toBeInstanceOf(WrongExpectedRevisionError);
  });

  it("refuses a client's stale expected revision without retrying, yet answers a repeat with its first events", async () => {
    const handler = commandHandler({ store, aggregate: counter });
    await handler.handle(stream, meta('c1'), increment(1), { expectedRevision: -1n });
    await handler.handle(stream, meta('c2'), increment(1), { expectedRevision: 0n });
    await expect(handler.handle(stream, meta('c3'), increment(1), { expectedRevision: 0n })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await handler.handle(stream, meta('c2'), increment(1), { expectedRevision: 0n })).toMatchObject({ repeated: true });
    expect(await handler.handle(stream, meta('c4'), increment(1), { expectedRevision: 'stream_exists' })).toMatchObject({ revision: 2n });
  });

  it('loads from a snapshot, and still knows the command ids handled before it', async () => {
    const handler = commandHandler({ store, aggregate: counter, snapshot: { every: 3, version: 1 } });
    for (let i = 0; i < 7; i++) await handler.handle(stream, meta(`c${i}`), increment(1));
    const snapshot = await store.loadSnapshot<{ state: { total: number } }>(stream);
    expect(snapshot?.revision).toBeGreaterThanOrEqual(5n);
    expect(snapshot?.state.state.total).toBe(Number(snapshot?.revision) + 1);
    // A handler of another process has nothing cached: it starts from the snapshot.
    const cold = commandHandler({ store, aggregate: counter, snapshot: { every: 3, version: 1 } });
    expect(await cold.handle(stream, meta('c0'), increment(1))).toMatchObject({ repeated: true });
    expect((await cold.read(stream)).state.total).toBe(7);
  });

  it('stores a snapshot of a state JSON cannot hold as it is through toStored, and makes it again with revive', async () => {
    // Totals in a Map, whose JSON is an empty object: stored as a record, revived as a Map.
    type Totals = { totals: Map<string, number> };
    const totals = {
      initialState: (): Totals => ({ totals: new Map() }),
      evolve: (state: Totals, event: CounterEvent): Totals => ({ totals: new Map(state.totals).set('all', (state.totals.get('all') ?? 0) + event.data.by) }),
    };
    const add = (by: number) => (): CounterEvent[] => [{ type: 'Incremented', data: { by } }];
    const snapshot = {
      every: 2,
      version: 1,
      toStored: (state: Totals) => ({ totals: Object.fromEntries(state.totals) }),
      revive: (stored: unknown): Totals => ({ totals: new Map(Object.entries((stored as { totals: Record<string, number> }).totals)) }),
    };
    const handler = commandHandler({ store, aggregate: totals, snapshot });
    for (let i = 0; i < 3; i++) await handler.handle(stream, meta(`t${i}`), add(2));
    expect((await store.loadSnapshot<{ state: unknown }>(stream))?.state.state).toEqual({ totals: { all: 4 } });

    // A handler of another process has nothing cached: it starts from the snapshot, revived.
    const cold = commandHandler({ store, aggregate: totals, snapshot });
    expect((await cold.read(stream)).state.totals.get('all')).toBe(6);
  });

  it("is right with a stale cache: another writer's events are read before deciding", async () => {
    const [one, two] = [commandHandler({ store, aggregate: counter }), commandHandler({ store, aggregate: counter })];
    await one.handle(stream, meta('a1'), increment(40));
    await two.handle(stream, meta('b1'), increment(40));
    await expect(one.handle(stream, meta('a2'), increment(40))).rejects.toThrow('over the limit');
    expect(await one.handle(stream, meta('b1'), increment(40))).toMatchObject({ repeated: true, state: { total: 80 } });
  });

  it('still stores a long-forgotten repeated command once', async () => {
    const handler = commandHandler({ store, aggregate: counter, cachedStreams: 0 });
    await handler.handle(stream, meta('old'), increment(1));
    for (let i = 0; i < 2_001; i++)
      await store.appendToStream(
        stream,
        [
          {
            id: randomUUID(),
            type: 'Incremented',
            data: { by: 0 },
            metadata: { correlationId: 'c', causationId: 'c', commandId: `filler-${i}`, schemaVersion: 1 },
          },
        ],
        { expectedRevision: 'any' },
      );
    expect(await handler.handle(stream, meta('old'), increment(1))).toMatchObject({ repeated: true, state: { total: 1 } });
    expect((await handler.read(stream)).state.total).toBe(1);
  });
});
