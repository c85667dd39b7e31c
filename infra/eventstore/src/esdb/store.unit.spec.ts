import { Readable } from 'node:stream';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamJSONRecordedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData as EsdbEventData,
  type EventStoreDBClient,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamMetadata,
} from '@eventstore/db-client';
import { InvalidEventError, WrongExpectedRevisionError } from '../errors';
import { eventIdFor } from '../ids';
import type { EventData } from '../types';
import { EsdbEventStore } from './store';

// An in-memory stand-in for the server, as the adapter relies on it: conflicts by
// expected revision, idempotent retries answered like the first write, reads of $all
// that include the event at their start position, and StreamNotFound for a missing stream.
class FakeServer {
  readonly log: AllStreamJSONRecordedEvent[] = [];
  readonly metadata = new Map<string, StreamMetadata>();

  readonly client = {
    appendToStream: jest.fn(async (stream: string, data: EsdbEventData | EsdbEventData[], options: { expectedRevision?: AppendExpectedRevision } = {}) =>
      this.append(stream, Array.isArray(data) ? data : [data], options.expectedRevision ?? ANY),
    ),
    readStream: jest.fn((stream: string, { direction = 'forwards', fromRevision = 'start', maxCount = Number.MAX_SAFE_INTEGER }: ReadStreamOptions = {}) => {
      const events = this.streamOf(stream);
      if (events.length === 0) return this.failing(new StreamNotFoundError(undefined, stream));
      const from = fromRevision === 'start' ? 0n : fromRevision === 'end' ? BigInt(events.length - 1) : fromRevision;
      const picked = direction === 'forwards' ? events.filter((e) => e.revision >= from) : events.filter((e) => e.revision <= from).reverse();
      return this.reading(picked.slice(0, Number(maxCount)));
    }),
    readAll: jest.fn(({ direction = 'forwards', fromPosition = 'start', maxCount = Number.MAX_SAFE_INTEGER }: ReadAllOptions = {}) => {
      const picked = direction === 'backwards' ? [...this.log].reverse() : this.log.filter((e) => fromPosition === 'start' || (fromPosition !== 'end' && e.position.commit >= fromPosition.commit));
      return this.reading(picked.slice(0, Number(maxCount)));
    }),
    setStreamMetadata: jest.fn(async (stream: string, metadata: StreamMetadata) => {
      this.metadata.set(stream, metadata);
      return { success: true, nextExpectedRevision: 0n };
    }),
    dispose: jest.fn(async () => undefined),
  };

  readonly store = (options: ConstructorParameters<typeof EsdbEventStore>[1] = {}) => new EsdbEventStore(this.client as unknown as EventStoreDBClient, options);

  private streamOf = (stream: string) => this.log.filter((e) => e.streamId === stream);

  private append(stream: string, events: EsdbEventData[], expected: AppendExpectedRevision): AppendResult {
    const existing = this.streamOf(stream);
    const current = existing.length === 0 ? undefined : BigInt(existing.length - 1);
    const first = expected === NO_STREAM ? 0 : typeof expected === 'bigint' ? Number(expected) + 1 : existing.findIndex((e) => e.id === events[0]?.id);
    const stored = existing.slice(first, first + events.length);
    if (first >= 0 && stored.length === events.length && stored.every((e, i) => e.id === events[i]?.id)) {
      return { success: true, nextExpectedRevision: BigInt(first + events.length - 1), position: stored[0]?.position };
    }
    const ok = expected === ANY || (expected === NO_STREAM ? current === undefined : expected === STREAM_EXISTS ? current !== undefined : current === expected);
    if (!ok) throw new WrongExpectedVersionError(undefined, { streamName: stream, expected, current: current ?? NO_STREAM });
    for (const [i, e] of events.entries()) {
      const commit = BigInt(this.log.length + 1) * 100n;
      const recorded = { streamId: stream, id: e.id, isJson: true as const, revision: (current ?? -1n) + BigInt(i) + 1n, type: e.type, created: new Date(0) };
      this.log.push({ ...recorded, data: e.data as AllStreamJSONRecordedEvent['data'], metadata: e.metadata, position: { commit, prepare: commit } });
    }
    return { success: true, nextExpectedRevision: (current ?? -1n) + BigInt(events.length), position: this.log.at(-1)?.position };
  }

  private reading = (events: AllStreamJSONRecordedEvent[]) => Object.assign(Readable.from(events.map((event) => ({ event }))), { cancel: jest.fn(async () => undefined) });

  private failing = (error: Error) =>
    Object.assign(new Readable({ objectMode: true, read: () => undefined }).destroy(error), { cancel: jest.fn(async () => undefined) });
}

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
      expect(await store.appendToStream('order-1', batch, { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 2n, written: false });
    });

    it('throws the port conflict, with no actual revision for a missing stream', async () => {
      const store = new FakeServer().store();
      await expect(store.appendToStream('order-1', [event('a')], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({ stream: 'order-1', actual: undefined });
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
      await store.appendToStream('ledger-1', Array.from({ length: 5 }, (_, i) => event('fill', i)), { expectedRevision: 'no_stream' });
      const revisions = async (options?: Parameters<typeof store.readStream>[1]) => (await collect(store.readStream('ledger-1', options))).map((e) => e.revision);
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
