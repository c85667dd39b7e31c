import type { ProjectedEvent } from '@ordo/projections';
import { evolveStock, NO_STOCK, stockKeyOf, type StockCounts } from './stock-row';
import { stockEvent } from './stock-events.fixtures';

// Given a sku's counts and one of its events, then its counts: inventory's own arithmetic,
// its invariant, and the reservation the event changed.

const nothingHeld = () => undefined;
const counts = (...events: ProjectedEvent[]) => events.reduce<StockCounts>((stock, event) => evolveStock(stock, event, nothingHeld).counts, NO_STOCK);
const added = (quantity: number) => stockEvent('StockAdded', { quantity });
const reserved = (orderId: string, quantity: number) => stockEvent('StockReserved', { orderId, quantity });

describe('the inventory view’s counts', () => {
  it('keys its events by sku', () => {
    expect(stockKeyOf(added(1))).toBe('SKU-1');
    expect(stockKeyOf({ ...added(1), data: {} })).toBeUndefined();
  });

  it('adds stock and reserves it for an order, which then holds it', () => {
    const stock = counts(added(10));
    expect(evolveStock(stock, reserved('o-1', 3), nothingHeld)).toEqual({
      counts: { added: 10, available: 7, reserved: 3, dispatched: 0 },
      reservation: { orderId: 'o-1', quantity: 3 },
    });
  });

  it('takes nothing more for a second reservation of an order that holds stock', () => {
    const stock = counts(added(10), reserved('o-1', 3));
    expect(evolveStock(stock, reserved('o-1', 3), (orderId) => (orderId === 'o-1' ? 3 : undefined))).toEqual({ counts: stock });
  });

  it('gives released stock back and moves committed stock to dispatched, and the orders hold nothing after', () => {
    const stock = counts(added(10), reserved('o-1', 3), reserved('o-2', 2));
    const released = evolveStock(stock, stockEvent('StockReleased', { orderId: 'o-1', quantity: 3 }), () => 3);
    expect(released.reservation).toEqual({ orderId: 'o-1', quantity: null });
    const committed = evolveStock(released.counts, stockEvent('StockCommitted', { orderId: 'o-2', quantity: 2 }), () => 2);
    expect(committed).toEqual({ counts: { added: 10, available: 8, reserved: 0, dispatched: 2 }, reservation: { orderId: 'o-2', quantity: null } });
    const { available, reserved: held, dispatched, added: total } = committed.counts;
    expect(available + held + dispatched).toBe(total);
  });

  it('changes nothing on a refusal, or on a type a later inventory records', () => {
    const refused = stockEvent('StockReservationRejected', { orderId: 'o-1', quantity: 5, available: 0, reason: 'insufficient stock' });
    expect(evolveStock(NO_STOCK, refused, nothingHeld)).toEqual({ counts: NO_STOCK });
    const stock = counts(added(4));
    expect(evolveStock(stock, stockEvent('StockCommitRejected', { orderId: 'o-9', reason: 'nothing held' }), nothingHeld)).toEqual({ counts: stock });
    expect(evolveStock(stock, stockEvent('StockCounted', { quantity: 9 }), nothingHeld)).toEqual({ counts: stock });
  });
});
