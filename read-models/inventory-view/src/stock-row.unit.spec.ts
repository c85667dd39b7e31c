import type { ProjectedEvent } from '@ordo/projections';
import { evolveStock, stockKeyOf, type StockRow } from './stock-row';

// Given a sku's events, then its row: inventory's own arithmetic, and its invariant.

const event = (type: string, data: Record<string, unknown>, revision = 0): ProjectedEvent => ({
  id: `stock-SKU-1-${revision}`,
  stream: 'stock-SKU-1',
  revision: BigInt(revision),
  type,
  data: { sku: 'SKU-1', at: '2026-11-30T10:00:00.000Z', ...data },
  recordedAt: new Date(),
});
const fold = (...events: ProjectedEvent[]) =>
  events.reduce<StockRow | null>((row, next) => ({ ...(row ?? { sku: 'SKU-1' }), ...evolveStock(row, next) }) as StockRow, null);

const added = (quantity: number) => event('StockAdded', { quantity });
const reserved = (orderId: string, quantity: number) => event('StockReserved', { orderId, quantity });

describe('the inventory view row', () => {
  it('keys its events by sku', () => {
    expect(stockKeyOf(added(1))).toBe('SKU-1');
    expect(stockKeyOf({ ...added(1), data: {} })).toBeUndefined();
  });

  it('adds stock, reserves it for orders, and remembers which order holds what', () => {
    expect(fold(added(10), reserved('o-1', 3), reserved('o-2', 2))).toEqual({
      sku: 'SKU-1',
      added: 10,
      available: 5,
      reserved: 5,
      dispatched: 0,
      reservations: { 'o-1': 3, 'o-2': 2 },
    });
  });

  it('takes nothing more for a second reservation of the same order', () => {
    expect(fold(added(10), reserved('o-1', 3), reserved('o-1', 3))).toMatchObject({ available: 7, reserved: 3, reservations: { 'o-1': 3 } });
  });

  it('gives released stock back and moves committed stock to dispatched', () => {
    const row = fold(
      added(10),
      reserved('o-1', 3),
      reserved('o-2', 2),
      event('StockReleased', { orderId: 'o-1', quantity: 3 }),
      event('StockCommitted', { orderId: 'o-2', quantity: 2 }),
    );
    expect(row).toMatchObject({ added: 10, available: 8, reserved: 0, dispatched: 2, reservations: {} });
    const { available, reserved: held, dispatched, added: total } = row as StockRow;
    expect(available + held + dispatched).toBe(total);
  });

  it('changes nothing on a refusal, and starts at zero when a refusal is the first event', () => {
    const refused = event('StockReservationRejected', { orderId: 'o-1', quantity: 5, available: 0, reason: 'insufficient stock' });
    expect(fold(refused)).toEqual({ sku: 'SKU-1', added: 0, available: 0, reserved: 0, dispatched: 0, reservations: {} });
    expect(fold(added(4), event('StockCommitRejected', { orderId: 'o-9', reason: 'nothing held' }))).toMatchObject({ available: 4 });
  });

  it('reads counts PostgreSQL gave back as strings as numbers', () => {
    const stored = { sku: 'SKU-1', added: '10', available: '10', reserved: '0', dispatched: '0', reservations: {} } as unknown as StockRow;
    expect(evolveStock(stored, reserved('o-1', 4))).toMatchObject({ available: 6, reserved: 4 });
  });
});
