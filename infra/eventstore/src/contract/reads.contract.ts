import { z } from 'zod';
import { eventually } from '@ordo/testing';
import { ForeignStreamError, InvalidEventError } from '../errors';
import type { EventSchemaRegistry } from '../registry';
import type { EventStore } from '../types';
import { event, events, metadata, readAllOf, readStreamAll, type StoreFactory, type streamNames } from './fixtures';

export const readContract = (store: () => EventStore, open: StoreFactory, name: ReturnType<typeof streamNames>) => {
  describe('reading a stream', () => {
    it('reads forwards and backwards, from a revision, at most maxCount', async () => {
      const stream = name('ledger');
      await store().appendToStream(stream, events('fill', 10), { expectedRevision: 'no_stream' });
      const revisions = async (options: Parameters<EventStore['readStream']>[1]) => {
        const read: bigint[] = [];
        for await (const e of store().readStream(stream, options)) read.push(e.revision);
        return read;
      };
      expect(await revisions({})).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
      expect(await revisions({ fromRevision: 7n })).toEqual([7n, 8n, 9n]);
      expect(await revisions({ maxCount: 2 })).toEqual([0n, 1n]);
      expect(await revisions({ direction: 'backwards', maxCount: 3 })).toEqual([9n, 8n, 7n]);
      expect(await revisions({ direction: 'backwards', fromRevision: 2n })).toEqual([2n, 1n, 0n]);
      expect(await readStreamAll(store(), name('ledger', 'never-written'))).toEqual([]);
    });
  });

  describe('reading all streams', () => {
    it('keeps each stream in revision order and resumes after a checkpoint without repeats', async () => {
      const prefix = name('ra');
      for (let round = 0; round < 3; round++) {
        for (const id of ['a', 'b']) await store().appendToStream(`${prefix}${id}`, [event(`${id}-${round}`, 0)], { expectedRevision: 'any' });
      }
      const all = await readAllOf(store(), prefix, { batchSize: 2 });
      expect(all).toHaveLength(6);
      for (const id of ['a', 'b']) expect(all.filter((e) => e.stream === `${prefix}${id}`).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      const rest = await readAllOf(store(), prefix, { from: all[3]?.checkpoint });
      expect(rest.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
    });

    it('filters by stream prefix and by event type', async () => {
      const orders = name('fo');
      const stock = name('fs');
      await store().appendToStream(`${orders}1`, [event('o1', 0, 'OrderPlaced'), event('o1', 1, 'OrderConfirmed')], { expectedRevision: 'any' });
      await store().appendToStream(`${stock}1`, [event('s1', 0, 'StockReserved')], { expectedRevision: 'any' });
      const typesOf = async (filter: { streamPrefixes?: string[]; eventTypes?: string[] }) => {
        const read: string[] = [];
        for await (const e of store().readAll({ filter })) if (e.stream.startsWith(orders) || e.stream.startsWith(stock)) read.push(e.type);
        return read;
      };
      expect(await typesOf({ streamPrefixes: [orders] })).toEqual(['OrderPlaced', 'OrderConfirmed']);
      expect(await typesOf({ streamPrefixes: [orders, stock], eventTypes: ['OrderConfirmed', 'StockReserved'] })).toEqual(['OrderConfirmed', 'StockReserved']);
    });

    it('keeps a store opened with stream prefixes to its own streams', async () => {
      const mine = name('own');
      const theirs = name('foreign');
      await store().appendToStream(`${theirs}1`, [event('t1', 0, 'TheirsHappened')], { expectedRevision: 'no_stream' });
      const own = await open({ streamPrefixes: [mine] });
      try {
        await own.appendToStream(`${mine}1`, [event('m1', 0, 'MineHappened')], { expectedRevision: 'no_stream' });
        await expect(own.appendToStream(`${theirs}2`, [event('m2', 0)], { expectedRevision: 'any' })).rejects.toThrow(ForeignStreamError);
        await expect(readStreamAll(own, `${theirs}1`)).rejects.toThrow(ForeignStreamError);
        await expect(own.loadSnapshot(`${theirs}1`)).rejects.toThrow(ForeignStreamError);
        const seen: string[] = [];
        for await (const e of own.readAll()) if (e.stream.startsWith(mine) || e.stream.startsWith(theirs)) seen.push(e.type);
        expect(seen).toEqual(['MineHappened']);
        // A filter naming another context's streams is narrowed to the store's, not obeyed.
        expect(await readAllOf(own, theirs)).toEqual([]);
        const subscribed: string[] = [];
        const subscription = own.subscribeToAll({ filter: { streamPrefixes: [mine, theirs] }, handler: (e) => void subscribed.push(e.stream) });
        await eventually(() => subscribed.length >= 1, "the store's own event");
        await store().appendToStream(`${theirs}3`, [event('t3', 0)], { expectedRevision: 'any' });
        await own.appendToStream(`${mine}1`, [event('m3', 0)], { expectedRevision: 0n });
        await eventually(() => subscribed.length >= 2, 'the next own event');
        await subscription.stop();
        expect(subscribed).toEqual([`${mine}1`, `${mine}1`]);
      } finally {
        await own.close();
      }
    });

    it('refuses a checkpoint that is not one of its own', async () => {
      await expect(readAllOf(store(), name('x'), { from: 'not a checkpoint' })).rejects.toThrow(InvalidEventError);
    });
  });

  describe('snapshots', () => {
    it('loads the latest snapshot, never an older one saved later, and nothing for a stream without one', async () => {
      const stream = name('sku');
      expect(await store().loadSnapshot(stream)).toBeUndefined();
      await store().saveSnapshot(stream, { revision: 99n, version: 2, state: { available: 5, reserved: ['o-1'] } });
      await store().saveSnapshot(stream, { revision: 50n, version: 2, state: { available: 9, reserved: [] } });
      expect(await store().loadSnapshot(stream)).toEqual({ revision: 99n, version: 2, state: { available: 5, reserved: ['o-1'] } });
    });
  });

  describe('event schemas', () => {
    const registry: EventSchemaRegistry = {
      PriceChanged: {
        version: 2,
        schema: z.object({ sku: z.string(), price: z.object({ amount: z.number(), currency: z.string() }) }),
        upcasters: { 1: (data) => ({ ...(data as object), price: { amount: (data as { price: number }).price, currency: 'EUR' } }) },
      },
    };

    it('validates appends: an unknown type or bad data is refused and nothing is written', async () => {
      const checked = await open({ registry });
      try {
        const stream = name('product');
        await expect(checked.appendToStream(stream, [event('u', 0, 'PriceGuessed', {})], { expectedRevision: 'any' })).rejects.toThrow(
          /unknown event type 'PriceGuessed'/,
        );
        await expect(
          checked.appendToStream(stream, [event('b', 0, 'PriceChanged', { sku: 'A', price: 'cheap' })], { expectedRevision: 'any' }),
        ).rejects.toThrow(/price/);
        expect(await readStreamAll(checked, stream)).toEqual([]);
        await checked.appendToStream(
          stream,
          [{ ...event('g', 0, 'PriceChanged', { sku: 'A', price: { amount: 3, currency: 'EUR' } }), metadata: { correlationId: 'c', causationId: 'c' } }],
          { expectedRevision: 'any' },
        );
        expect((await readStreamAll(checked, stream))[0]?.metadata.schemaVersion).toBe(2);
      } finally {
        await checked.close();
      }
    });

    it('upcasts old versions on read, leaves the stored event as it was, and keeps unknown fields', async () => {
      const stream = name('product');
      const old = { sku: 'B', price: 7, addedLater: true };
      await store().appendToStream(stream, [{ ...event('old', 0, 'PriceChanged', old), metadata: metadata({ schemaVersion: 1 }) }], {
        expectedRevision: 'any',
      });
      const checked = await open({ registry });
      try {
        const [read] = await readStreamAll(checked, stream);
        expect(read?.data).toEqual({ sku: 'B', price: { amount: 7, currency: 'EUR' }, addedLater: true });
        expect(read?.metadata.schemaVersion).toBe(2);
        expect((await readStreamAll(store(), stream))[0]?.data).toEqual(old);
      } finally {
        await checked.close();
      }
    });
  });
};
