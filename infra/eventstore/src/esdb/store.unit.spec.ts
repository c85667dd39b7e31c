import { EventTooLargeError, ForeignStreamError, InvalidEventError, WrongExpectedRevisionError } from '../errors';
import { eventIdFor } from '../ids';
import type { EventData } from '../types';
import { ANY, NO_STREAM } from '@eventstore/db-client';
import { FakeServer } from './fake-esdb.double.spec';

const event = (command: string, index = 0, type = 'Happened'): EventData => ({
  id: eventIdFor(command, index),
  type,
  data: { index },
  metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
});
const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
};

describe('EsdbEventStore', () => {
  describe('appendToStream', () => {
    it('answers a retried append as the first did, with written false', async () => {
      const store = new FakeServer().store();
      const batch = [event('place', 0), event('place', 1)];
      expect(await store.appendToStream('order-1', batch, { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 1n, written: true });
      expect(await store.appendToStream('order-1', batch, { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 1n, written: false });
      expect(await store.appendToStream('order-1', batch, { expectedRevision: 'any' })).toEqual({ nextExpectedRevision: 1n, written: false });
      expect(await store.appendToStream('order-1', [event('next')], { expectedRevision: 1n })).toEqual({ nextExpectedRevision: 2n, written: true });
      // A retry after the stream moved on answers with where the stream is now.
      expect(await store.appendToStream('order-1', batch, { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 2n, written: false });
    });

    it('the double, as the server, stores a repeat sent at the current revision or once its ids left the cache', async () => {
      const server = new FakeServer(1);
      const first = { id: eventIdFor('reserve', 0), type: 'StockReserved', contentType: 'application/json' as const, data: {}, metadata: {} };
      await server.client.appendToStream('sku-1', [first], { expectedRevision: NO_STREAM });
      await server.client.appendToStream('sku-1', [first], { expectedRevision: NO_STREAM }); // a retry at the same revision: idempotent
      expect(server.streamOf('sku-1')).toHaveLength(1);
      await server.client.appendToStream('sku-1', [first], { expectedRevision: 0n }); // at the current revision: stored again
      await server.client.appendToStream('sku-1', [{ ...first, id: eventIdFor('other', 0) }], { expectedRevision: ANY });
      await server.client.appendToStream('sku-1', [first], { expectedRevision: ANY }); // no longer in the id cache: stored again
      expect(server.streamOf('sku-1').map((e) => e.id)).toEqual([first.id, first.id, eventIdFor('other', 0), first.id]);
    });

    it.each(['any', 'current'] as const)('stores nothing for a repeated command the server no longer remembers, sent at %s', async (at) => {
      const server = new FakeServer(1);
      const store = server.store();
      const reserve = [event('reserve', 0, 'StockReserved'), event('reserve', 1, 'StockLow')];
      await store.appendToStream('sku-1', reserve, { expectedRevision: 'no_stream' });
      await store.appendToStream('sku-1', [event('release', 0, 'StockReleased')], { expectedRevision: 1n });
      server.forgetRecentIds();
      const repeated = await server.store().appendToStream('sku-1', reserve, { expectedRevision: at === 'any' ? 'any' : 2n });
      expect(repeated).toEqual({ nextExpectedRevision: 2n, written: false });
      expect(server.streamOf('sku-1').map((e) => e.type)).toEqual(['StockReserved', 'StockLow', 'StockReleased']);
    });

    it('refuses a batch that repeats only some of the stored events, storing none of it', async () => {
      const server = new FakeServer();
      await server.store().appendToStream('sku-1', [event('a', 0), event('a', 1)], { expectedRevision: 'no_stream' });
      await expect(server.store().appendToStream('sku-1', [event('a', 1), event('b', 0)], { expectedRevision: 'any' })).rejects.toThrow(/some, not all/);
      expect(server.streamOf('sku-1')).toHaveLength(2);
    });

    it('appends at the revision it read: a writer that slips in between makes it a conflict, never an interleaving', async () => {
      const server = new FakeServer();
      const store = server.store();
      await store.appendToStream('sku-1', [event('a', 0)], { expectedRevision: 'no_stream' });
      const slipIn = (command: string) =>
        server.beforeNextAppend(() =>
          server.writeRaw('sku-1', [{ id: eventIdFor(command, 0), type: 'Other', contentType: 'application/json', data: {}, metadata: {} }]),
        );
      slipIn('intruder-1');
      const conflict = store.appendToStream('sku-1', [event('b', 0)], { expectedRevision: 0n });
      await expect(conflict).rejects.toMatchObject({ expected: 0n, actual: 1n });
      expect(server.client.appendToStream).toHaveBeenLastCalledWith('sku-1', expect.anything(), { expectedRevision: 0n });
      slipIn('intruder-2');
      expect(await store.appendToStream('sku-1', [event('c', 0)], { expectedRevision: 'any' })).toEqual({ nextExpectedRevision: 3n, written: true });
      expect(server.streamOf('sku-1').map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n]);
      expect(server.client.appendToStream).toHaveBeenLastCalledWith('sku-1', expect.anything(), { expectedRevision: 2n });
    });

    it('reads a stream once, then only the events after what it read', async () => {
      const server = new FakeServer();
      const store = server.store();
      for (let i = 0; i < 3; i++) await store.appendToStream('sku-1', [event(`e${i}`, 0)], { expectedRevision: 'any' });
      expect(server.client.readStream.mock.calls.map(([, options]) => options?.fromRevision)).toEqual(['start', 1n, 2n]);
    });

    it('refuses an event too large for the bus, and a stream outside its prefixes, before calling the server', async () => {
      const server = new FakeServer();
      const store = server.store({ streamPrefixes: ['sku-'], maxEventBytes: 1_000 });
      const big = { ...event('big', 0, 'Huge'), data: { text: 'x'.repeat(2_000) } };
      await expect(store.appendToStream('sku-1', [event('ok', 0), big], { expectedRevision: 'any' })).rejects.toThrow(EventTooLargeError);
      await expect(store.appendToStream('sku-1', [big], { expectedRevision: 'any' })).rejects.toThrow(/Huge .* sku-1 is \d+ bytes/);
      await expect(store.appendToStream('order-1', [event('ok', 0)], { expectedRevision: 'any' })).rejects.toThrow(ForeignStreamError);
      await expect(collect(store.readStream('order-1'))).rejects.toThrow(ForeignStreamError);
      expect(server.client.appendToStream).not.toHaveBeenCalled();
    });

    it('throws the port conflict, with no actual revision for a missing stream', async () => {
      const store = new FakeServer().store();
      await expect(store.appendToStream('order-1', [event('a')], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
        stream: 'order-1',
        actual: undefined,
      });
      await store.appendToStream('order-1', [event('a')], { expectedRevision: 'no_stream' });
      const conflict = store.appendToStream('order-1', [event('b')], { expectedRevision: 3n });
      await expect(conflict).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(conflict).rejects.toMatchObject({ expected: 3n, actual: 0n });
    });

    it('refuses bad input before calling the server', async () => {
      const server = new FakeServer();
      await expect(server.store().appendToStream('order-1', [{ ...event('a'), id: 'nope' }], { expectedRevision: 'any' })).rejects.toThrow(InvalidEventError);
      await expect(server.store().appendToStream('order-1', [event('a')], { expectedRevision: -1n })).rejects.toThrow(InvalidEventError);
      expect(server.client.readStream).not.toHaveBeenCalled();
      expect(server.client.appendToStream).not.toHaveBeenCalled();
    });
  });

  describe('readStream', () => {
    it('reads forwards, backwards, from a revision, at most maxCount, and a missing stream as empty', async () => {
      const store = new FakeServer().store();
      await store.appendToStream(
        'ledger-1',
        Array.from({ length: 5 }, (_, i) => event('fill', i)),
        { expectedRevision: 'no_stream' },
      );
      const revisions = async (options?: Parameters<typeof store.readStream>[1]) =>
        (await collect(store.readStream('ledger-1', options))).map((e) => e.revision);
      expect(await revisions()).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(await revisions({ fromRevision: 3n })).toEqual([3n, 4n]);
      expect(await revisions({ direction: 'backwards', maxCount: 2 })).toEqual([4n, 3n]);
      expect(await revisions({ direction: 'backwards', fromRevision: 1n })).toEqual([1n, 0n]);
      expect(await revisions({ maxCount: 0 })).toEqual([]);
      expect(await collect(store.readStream('ledger-2'))).toEqual([]);
    });
  });

  describe('readAll', () => {
    it('pages through $all in order without repeats, even a batch of one, and resumes after a checkpoint', async () => {
      const store = new FakeServer().store();
      for (const id of ['a', 'b', 'c', 'd']) await store.appendToStream(`ra-${id}`, [event(id)], { expectedRevision: 'any' });
      for (const batchSize of [1, 2, 3, 500]) {
        expect((await collect(store.readAll({ batchSize }))).map((e) => e.stream)).toEqual(['ra-a', 'ra-b', 'ra-c', 'ra-d']);
      }
      const all = await collect(store.readAll());
      expect((await collect(store.readAll({ from: all[1]?.checkpoint, batchSize: 1 }))).map((e) => e.stream)).toEqual(['ra-c', 'ra-d']);
    });

    it("keeps to the store's prefixes, and never returns snapshots", async () => {
      const server = new FakeServer();
      await server.store().appendToStream('order-1', [event('o', 0, 'OrderPlaced')], { expectedRevision: 'any' });
      await server.store().appendToStream('stock-1', [event('s', 0, 'StockReserved')], { expectedRevision: 'any' });
      await server.store().saveSnapshot('order-1', { revision: 0n, version: 1, state: {} });
      expect((await collect(server.store({ streamPrefixes: ['order-'] }).readAll())).map((e) => e.type)).toEqual(['OrderPlaced']);
      expect((await collect(server.store().readAll({ filter: { eventTypes: ['StockReserved'] } }))).map((e) => e.stream)).toEqual(['stock-1']);
      expect((await collect(server.store().readAll())).map((e) => e.stream)).toEqual(['order-1', 'stock-1']);
    });

    it('refuses a checkpoint that is not its own', async () => {
      await expect(collect(new FakeServer().store().readAll({ from: 'not a checkpoint' }))).rejects.toThrow(InvalidEventError);
    });
  });

  describe('snapshots', () => {
    it('loads the latest, never an older one saved later, in a stream that keeps one event', async () => {
      const server = new FakeServer();
      const store = server.store();
      expect(await store.loadSnapshot('sku-1')).toBeUndefined();
      await store.saveSnapshot('sku-1', { revision: 99n, version: 2, state: { available: 5 } });
      await store.saveSnapshot('sku-1', { revision: 50n, version: 2, state: { available: 9 } });
      expect(await store.loadSnapshot('sku-1')).toEqual({ revision: 99n, version: 2, state: { available: 5 } });
      await store.saveSnapshot('sku-1', { revision: 120n, version: 3, state: { available: 1 } });
      expect(await store.loadSnapshot('sku-1')).toEqual({ revision: 120n, version: 3, state: { available: 1 } });
      expect(server.metadata).toEqual(new Map([['ordo-snapshot-sku-1', { maxCount: 1 }]]));
      expect(server.client.setStreamMetadata).toHaveBeenCalledTimes(1);
    });
  });

  it('close disposes of the client', async () => {
    const server = new FakeServer();
    await server.store().close();
    expect(server.client.dispose).toHaveBeenCalledTimes(1);
  });
});
