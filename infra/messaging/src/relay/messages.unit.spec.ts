import type { PositionedEvent } from '@ordo/eventstore';
import { messageBytes, MessageTooLargeError, prepareEvent, takeBatch } from './messages';
import type { Routing } from './routing';

const event = (n: number, bytes: number): PositionedEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'Stored',
  stream: 'blob-1',
  revision: BigInt(n),
  position: BigInt(n),
  checkpoint: `100:${n}`,
  data: { blob: 'x'.repeat(bytes) },
  metadata: { correlationId: 'c', causationId: 'test', schemaVersion: 1 },
  recordedAt: new Date(0),
});
const routing: Routing = (e) => [{ topic: 'ordo.blobs.events', key: e.stream }];

describe('relay messages and batches', () => {
  it('counts a message by its key, value and headers in bytes, with room for the record around them', () => {
    const plain = messageBytes({ key: 'k', value: 'v', headers: {} });
    expect(messageBytes({ key: 'k', value: 'vé', headers: {} })).toBe(plain + 2); // é is two bytes
    expect(messageBytes({ key: 'k', value: 'v', headers: { name: 'value' } })).toBeGreaterThan(plain + 'name'.length + 'value'.length);
    const prepared = prepareEvent(event(1, 1_000), routing, 1_000_000);
    expect(prepared.bytes).toBeGreaterThan(1_000);
    expect(prepared.messages).toHaveLength(1);
  });

  it('takes at most maxBatch events and maxBatchBytes, and at least one event', () => {
    const buffer = Array.from({ length: 10 }, (_, n) => prepareEvent(event(n, 1_000), routing, 1_000_000));
    const size = buffer[0]?.bytes ?? 0;
    expect(takeBatch([...buffer], 4, 1_000_000)).toHaveLength(4);
    expect(takeBatch([...buffer], 100, size * 3)).toHaveLength(3);
    expect(takeBatch([...buffer], 100, size * 3 - 1)).toHaveLength(2);
    const rest = [...buffer];
    const batches: number[] = [];
    while (rest.length > 0) batches.push(takeBatch(rest, 100, size * 4).length);
    expect(batches).toEqual([4, 4, 2]);
  });

  it('refuses an event whose message alone is over the limit, naming it', () => {
    const tooLarge = event(7, 5_000);
    const error = (() => {
      try {
        prepareEvent(tooLarge, routing, 4_000);
        return undefined;
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as Error).message).toContain(tooLarge.id);
    expect((error as Error).message).toContain('ordo.blobs.events');
    expect((error as Error).message).toContain("over the relay's limit of 4000 bytes");
  });
});
