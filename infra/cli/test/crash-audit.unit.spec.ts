import { outcomeViolations, paymentViolations, stockViolations, type JournalEntry, type PlacedOrder, type Settled } from './crash-audit';
import type { OrderView, StockView } from './shop-client';

// The crash test's checks, each shown to find what it is there to find: a sound shop
// passes them all, and each way of breaking it is named.
const placed: PlacedOrder[] = [
  { orderId: 'o-1', lines: [{ sku: 'MUG', quantity: 2 }], declinedCard: false },
  { orderId: 'o-2', lines: [{ sku: 'MUG', quantity: 1 }], declinedCard: true },
];
const order = (orderId: string, status: OrderView['status']): OrderView => ({ orderId, status, lines: [], totalCents: 0 });
const stock = (over: Partial<StockView> = {}): StockView => ({
  sku: 'MUG',
  added: 10,
  available: 8,
  reserved: 2,
  dispatched: 0,
  reservations: [{ orderId: 'o-1', quantity: 2 }],
  ...over,
});
const sound = (): Settled => ({
  orders: new Map([
    ['o-1', order('o-1', 'confirmed')],
    ['o-2', order('o-2', 'rejected')],
  ]),
  sagas: new Map([
    ['o-1', { status: 'completed' }],
    ['o-2', { status: 'rolled-back' }],
  ]),
  stock: new Map([['MUG', stock()]]),
});
const added = new Map([['MUG', 10]]);
const journal: JournalEntry[] = [
  { operation: 'authorize', orderId: 'o-1', approved: true, authorizationId: 'auth_1' },
  { operation: 'capture', orderId: 'o-1', approved: true, authorizationId: 'auth_1' },
  { operation: 'authorize', orderId: 'o-2', approved: false },
];

describe("the crash test's checks", () => {
  it('find nothing wrong with a sound shop', () => {
    expect(outcomeViolations(placed, sound())).toEqual([]);
    expect(stockViolations(placed, sound(), added)).toEqual([]);
    expect(paymentViolations(placed, sound(), journal)).toEqual([]);
  });

  it('name an order left pending, a saga still running or stuck, and a saga that ended the other way than its order', () => {
    const settled = sound();
    settled.orders.set('o-1', order('o-1', 'pending'));
    settled.sagas.set('o-1', { status: 'stuck', reason: 'overdue' });
    expect(outcomeViolations(placed, settled)).toEqual(['order o-1 is pending', 'the saga of order o-1 is stuck (overdue)']);
    const failed = sound();
    failed.sagas.set('o-1', { status: 'failed', failed: { step: 'capturePayment', kind: 'action', reason: 'no authorization auth_1' } });
    expect(outcomeViolations(placed, failed)).toEqual(['the saga of order o-1 is failed (action of capturePayment: no authorization auth_1)']);
    const crossed = sound();
    crossed.sagas.set('o-2', { status: 'completed' });
    expect(outcomeViolations(placed, crossed)).toEqual(['order o-2 is rejected but its saga completed']);
  });

  it('name a confirmed order without its stock, a rejected one still holding stock, and stock that does not add up', () => {
    const settled = sound();
    settled.stock.set('MUG', stock({ available: 7, reserved: 3, reservations: [{ orderId: 'o-2', quantity: 1 }] }));
    expect(stockViolations(placed, settled, added)).toEqual([
      'confirmed order o-1 holds 0 of MUG, not 2',
      'rejected order o-2 still holds 1 of MUG',
      'MUG: 3 reserved, but its reservations hold 1',
    ]);
    settled.stock.set('MUG', stock({ available: 9 }));
    expect(stockViolations(placed, settled, added)).toEqual(['MUG: 9 available + 2 reserved + 0 dispatched != 10 added']);
  });

  it("name a confirmed order not captured once, and a rejected one captured or left authorized (not voided by its id nor by the order's reference)", () => {
    const settled = sound();
    expect(paymentViolations(placed, settled, journal.slice(0, 1))).toEqual(['confirmed order o-1 was captured 0 times']);
    settled.orders.set('o-1', order('o-1', 'rejected'));
    expect(paymentViolations(placed, settled, journal)).toEqual([
      'rejected order o-1 was captured',
      'rejected order o-1 keeps authorization auth_1 held (not voided)',
    ]);
    const voidedByOrder: JournalEntry[] = [journal[0] as JournalEntry, { operation: 'void', orderId: 'o-1', approved: true }];
    expect(paymentViolations(placed.slice(0, 1), settled, voidedByOrder)).toEqual([]);
    expect(paymentViolations(placed.slice(0, 1), settled, [...voidedByOrder.slice(0, 1), { operation: 'void', orderId: 'o-1', approved: false }])).toEqual([
      'rejected order o-1 keeps authorization auth_1 held (not voided)',
    ]);
    settled.orders.set('o-2', order('o-2', 'confirmed'));
    expect(paymentViolations(placed.slice(1), settled, journal)).toEqual([
      'order o-2 was confirmed with a declined card',
      'confirmed order o-2 has no approved authorization',
      'confirmed order o-2 was captured 0 times',
    ]);
  });
});
