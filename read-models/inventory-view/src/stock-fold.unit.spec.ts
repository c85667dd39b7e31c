import { foldStockEvents, reservationKey, type StockEvent, type StoredCounts } from './stock-fold';
import { stockEvent } from './stock-events.fixtures';

// A batch of the inventory view folded: each event once, in its sku's order, against what
// was stored and what the batch's orders held before it.

const on = (sku: string, type: string, data: Record<string, unknown>, revision: number): StockEvent => ({ event: stockEvent(type, data, revision, sku), sku });
const stored = (sku: string, counts: Omit<StoredCounts, 'revision'>, revision: number) => new Map([[sku, { ...counts, revision: BigInt(revision) }]]);

describe('a batch of the inventory view', () => {
  it('folds new skus from nothing and records the reservations it made', () => {
    const folded = foldStockEvents(
      [on('A', 'StockAdded', { quantity: 5 }, 0), on('B', 'StockAdded', { quantity: 2 }, 0), on('A', 'StockReserved', { orderId: 'o-1', quantity: 2 }, 1)],
      new Map(),
      new Map(),
    );
    expect(folded.changed).toEqual(new Set(['A', 'B']));
    expect(folded.counts.get('A')).toEqual({ added: 5, available: 3, reserved: 2, dispatched: 0, revision: 1n });
    expect([...folded.reservations.values()]).toEqual([{ sku: 'A', orderId: 'o-1', quantity: 2 }]);
  });

  it('passes over events at or below the stored revision: applied twice, a batch changes nothing', () => {
    const before = stored('A', { added: 5, available: 3, reserved: 2, dispatched: 0 }, 1);
    const folded = foldStockEvents(
      [on('A', 'StockAdded', { quantity: 5 }, 0), on('A', 'StockReserved', { orderId: 'o-1', quantity: 2 }, 1)],
      before,
      new Map(),
    );
    expect(folded.changed.size).toBe(0);
    expect(folded.reservations.size).toBe(0);
    expect(folded.counts.get('A')).toEqual({ added: 5, available: 3, reserved: 2, dispatched: 0, revision: 1n });
  });

  it('takes nothing more for an order that held stock before the batch, or earlier in it', () => {
    const before = stored('A', { added: 5, available: 3, reserved: 2, dispatched: 0 }, 1);
    const held = new Map([[reservationKey('A', 'o-1'), 2]]);
    const folded = foldStockEvents(
      [
        on('A', 'StockReserved', { orderId: 'o-1', quantity: 2 }, 2),
        on('A', 'StockReserved', { orderId: 'o-2', quantity: 1 }, 3),
        on('A', 'StockReserved', { orderId: 'o-2', quantity: 1 }, 4),
      ],
      before,
      held,
    );
    expect(folded.counts.get('A')).toEqual({ added: 5, available: 2, reserved: 3, dispatched: 0, revision: 4n });
    expect([...folded.reservations.values()]).toEqual([{ sku: 'A', orderId: 'o-2', quantity: 1 }]);
  });

  it('leaves a reservation released in the batch as held by no one, and one reserved again after its release as held', () => {
    const before = stored('A', { added: 5, available: 3, reserved: 2, dispatched: 0 }, 1);
    const held = new Map([[reservationKey('A', 'o-1'), 2]]);
    const folded = foldStockEvents(
      [
        on('A', 'StockCommitted', { orderId: 'o-1', quantity: 2 }, 2),
        on('A', 'StockReserved', { orderId: 'o-3', quantity: 1 }, 3),
        on('A', 'StockReleased', { orderId: 'o-3', quantity: 1 }, 4),
        on('A', 'StockReserved', { orderId: 'o-3', quantity: 2 }, 5),
      ],
      before,
      held,
    );
    expect(folded.counts.get('A')).toEqual({ added: 5, available: 1, reserved: 2, dispatched: 2, revision: 5n });
    expect(folded.reservations).toEqual(
      new Map([
        [reservationKey('A', 'o-1'), { sku: 'A', orderId: 'o-1', quantity: null }],
        [reservationKey('A', 'o-3'), { sku: 'A', orderId: 'o-3', quantity: 2 }],
      ]),
    );
  });

  it('keeps two skus’ reservations of one order apart', () => {
    const held = new Map([[reservationKey('A', 'o-1'), 1]]);
    const folded = foldStockEvents([on('A', 'StockAdded', { quantity: 1 }, 5), on('B', 'StockReserved', { orderId: 'o-1', quantity: 1 }, 0)], new Map(), held);
    expect(folded.counts.get('B')).toMatchObject({ available: -1, reserved: 1 });
    expect([...folded.reservations.values()]).toEqual([{ sku: 'B', orderId: 'o-1', quantity: 1 }]);
  });
});
