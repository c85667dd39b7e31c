import { EventTooLargeError, InvalidEventError, WrongExpectedRevisionError } from '../errors';
import { DEFAULT_MAX_EVENT_BYTES } from '../input';
import type { EventStore } from '../types';
import { event, events, metadata, readAllOf, readStreamAll, type streamNames } from './fixtures';

export const appendContract = (store: () => EventStore, name: ReturnType<typeof streamNames>) => {
  describe('appending', () => {
    it('stores events at consecutive revisions and returns them with data and metadata unchanged', async () => {
      const stream = name('order');
      const full = metadata({ commandId: 'cmd-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', actor: 'alice' });
      const appended = [
        { ...event('cmd-1', 0, 'OrderPlaced', { lines: [{ sku: 'A-1', qty: 2 }], total: 12.5 }), metadata: full },
        event('cmd-1', 1, 'OrderConfirmed'),
      ];
      expect(await store().appendToStream(stream, appended, { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 1n, written: true });

      const read = await readStreamAll(store(), stream);
      expect(read.map(({ id, type, stream: s, revision, data }) => ({ id, type, stream: s, revision, data }))).toEqual([
        { id: appended[0]?.id, type: 'OrderPlaced', stream, revision: 0n, data: { lines: [{ sku: 'A-1', qty: 2 }], total: 12.5 } },
        { id: appended[1]?.id, type: 'OrderConfirmed', stream, revision: 1n, data: { index: 1 } },
      ]);
      expect(read[0]?.metadata).toEqual(full);
      expect(read[0]?.recordedAt).toBeInstanceOf(Date);
      expect(read[1]?.position).toBeGreaterThan(read[0]?.position ?? 0n);
    });

    it('checks the expected revision: no_stream, stream_exists, an exact revision, any', async () => {
      const stream = name('order');
      await expect(store().appendToStream(stream, [event('a', 0)], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({ stream, actual: undefined });
      await store().appendToStream(stream, [event('a', 0)], { expectedRevision: 'no_stream' });
      await expect(store().appendToStream(stream, [event('b', 0)], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
        expected: 'no_stream',
        actual: 0n,
      });
      await expect(store().appendToStream(stream, [event('b', 0)], { expectedRevision: 3n })).rejects.toThrow(WrongExpectedRevisionError);
      expect((await store().appendToStream(stream, [event('b', 0)], { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
      expect((await store().appendToStream(stream, [event('c', 0)], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(2n);
      expect((await store().appendToStream(stream, [event('d', 0)], { expectedRevision: 'any' })).nextExpectedRevision).toBe(3n);
      expect((await store().appendToStream(name('order'), [event('e', 0)], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0n);
    });

    it('lets exactly one of 50 concurrent appends at one expected revision win', async () => {
      const stream = name('sku');
      await store().appendToStream(stream, [event('seed', 0)], { expectedRevision: 'no_stream' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store().appendToStream(stream, [event(`writer-${i}`, 0)], { expectedRevision: 0n })),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      expect(lost.every((error) => error instanceof WrongExpectedRevisionError)).toBe(true);
      expect((await readStreamAll(store(), stream)).map((e) => e.revision)).toEqual([0n, 1n]);
    });

    it('lets exactly one of 50 concurrent creators of a stream win', async () => {
      const stream = name('sku');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => store().appendToStream(stream, [event(`creator-${i}`, 0)], { expectedRevision: 'no_stream' })),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(await readStreamAll(store(), stream)).toHaveLength(1);
    });

    it('is idempotent: a retried append stores nothing twice and answers as the first did', async () => {
      const stream = name('order');
      const batch = events('place', 3);
      const first = await store().appendToStream(stream, batch, { expectedRevision: 'no_stream' });
      const retried = await store().appendToStream(stream, batch, { expectedRevision: 'no_stream' });
      expect(retried).toEqual({ nextExpectedRevision: first.nextExpectedRevision, written: false });
      const again = await store().appendToStream(stream, batch, { expectedRevision: 'any' });
      expect(again.written).toBe(false);
      expect(await readStreamAll(store(), stream)).toHaveLength(3);
    });

    it('refuses an append that repeats some, not all, of the events already stored, storing none of it', async () => {
      const stream = name('order');
      await store().appendToStream(stream, events('first', 2), { expectedRevision: 'no_stream' });
      const overlapping = [event('first', 1), event('second', 0)];
      await expect(store().appendToStream(stream, overlapping, { expectedRevision: 'any' })).rejects.toThrow();
      expect((await readStreamAll(store(), stream)).map((e) => e.id)).toEqual(events('first', 2).map((e) => e.id));
    });

    it('keeps a concurrent retry of the same append from storing anything twice', async () => {
      const stream = name('order');
      const batch = events('racing', 2);
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store().appendToStream(stream, batch, { expectedRevision: 'no_stream' })));
      expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
      expect(await readStreamAll(store(), stream)).toHaveLength(2);
    });

    it('stores nothing for a repeated command, whether sent at any or at the current revision', async () => {
      const stream = name('sku');
      const reserve = events('reserve-7', 2, 'StockReserved');
      expect(await store().appendToStream(stream, reserve, { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: 1n, written: true });
      await store().appendToStream(stream, events('release-7', 1, 'StockReleased'), { expectedRevision: 1n });
      expect(await store().appendToStream(stream, reserve, { expectedRevision: 'any' })).toEqual({ nextExpectedRevision: 2n, written: false });
      expect(await store().appendToStream(stream, reserve, { expectedRevision: 2n })).toEqual({ nextExpectedRevision: 2n, written: false });
      expect((await readStreamAll(store(), stream)).map((e) => e.type)).toEqual(['StockReserved', 'StockReserved', 'StockReleased']);
    });

    it('refuses an event too large for the bus (2 MiB), storing none of its append', async () => {
      const stream = name('blob');
      await store().appendToStream(stream, [event('small', 0)], { expectedRevision: 'no_stream' });
      const huge = event('huge', 1, 'Huge', { text: 'x'.repeat(2 * 1024 * 1024) });
      const refused = store().appendToStream(stream, [event('huge', 0), huge], { expectedRevision: 0n });
      await expect(refused).rejects.toThrow(EventTooLargeError);
      await expect(refused).rejects.toThrow(new RegExp(`Huge of the append to ${stream} is \\d+ bytes`));
      expect((await readStreamAll(store(), stream)).map((e) => e.id)).toEqual([event('small', 0).id]);
    });

    it('stores an event just under the size limit and reads it back whole', async () => {
      const stream = name('blob');
      const big = { text: 'x'.repeat(DEFAULT_MAX_EVENT_BYTES - 1_000), tail: 'end' };
      await store().appendToStream(stream, [event('big', 0, 'Large', big)], { expectedRevision: 'no_stream' });
      const [read] = await readStreamAll(store(), stream);
      expect((read?.data as typeof big).text.length).toBe(DEFAULT_MAX_EVENT_BYTES - 1_000);
      expect(read?.data).toEqual(big);
    });

    it('keeps unicode in stream names, types and data exactly', async () => {
      const stream = name('commande', 'naïve-日本-🚀');
      const data = { note: 'Grüße, 你好, مرحبا, שלום, 🎉👩‍👩‍👧', combining: 'e\u0301', astral: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢' };
      await store().appendToStream(stream, [event('uni', 0, 'Bestellung·Aufgegeben', data)], { expectedRevision: 'no_stream' });
      const [read] = await readStreamAll(store(), stream);
      expect(read).toMatchObject({ stream, type: 'Bestellung·Aufgegeben', data });
    });
  });

  describe('bad input: a clear error and nothing written', () => {
    it('refuses an empty stream name', async () => {
      await expect(store().appendToStream('', [event('x', 0)], { expectedRevision: 'any' })).rejects.toThrow(InvalidEventError);
      await expect(store().appendToStream('   ', [event('x', 0)], { expectedRevision: 'any' })).rejects.toThrow(/non-empty/);
    });

    it('refuses a malformed event id, storing none of the append', async () => {
      const stream = name('order');
      const bad = [event('ok', 0), { ...event('ok', 1), id: 'not-a-uuid' }];
      await expect(store().appendToStream(stream, bad, { expectedRevision: 'any' })).rejects.toThrow(/event 1 .* id "not-a-uuid" is not a uuid/);
      expect(await readStreamAll(store(), stream)).toEqual([]);
      expect(await readAllOf(store(), stream)).toEqual([]);
    });

    it('refuses an append with no events, a bad expected revision, or metadata without ids', async () => {
      const stream = name('order');
      await expect(store().appendToStream(stream, [], { expectedRevision: 'any' })).rejects.toThrow(InvalidEventError);
      await expect(store().appendToStream(stream, [event('x', 0)], { expectedRevision: -1n })).rejects.toThrow(InvalidEventError);
      const noIds = { ...event('x', 0), metadata: { schemaVersion: 1 } } as unknown as ReturnType<typeof event>;
      await expect(store().appendToStream(stream, [noIds], { expectedRevision: 'any' })).rejects.toThrow(/correlationId and causationId/);
      expect(await readStreamAll(store(), stream)).toEqual([]);
    });
  });
};
