import fc from 'fast-check';
import type { InventoryEvent } from '@ordo/inventory-contract';
import { deciderSpec } from '@ordo/testing';
import { SkuNotInCatalog, StockRuleBroken } from './errors';
import { decide, evolve, initialState, MAX_STOCK, reviveStock, stockDecider, storedStock, type StockCommand, type Stock } from './stock';

const spec = deciderSpec(stockDecider);
const sku = 'SKU-1';
const at = '2025-03-01T10:00:00.000Z';
const metadata = { now: at };

// ---- commands and events, as the decider sees them ----------------------------------
const add = (quantity: number, skuInCatalog = true): StockCommand => ({
  type: 'AddStock',
  data: { sku, quantity },
  metadata: { ...metadata, skuInCatalog },
});
const reserve = (orderId: string, quantity: number): StockCommand => ({ type: 'ReserveStock', data: { sku, orderId, quantity }, metadata });
const release = (orderId: string): StockCommand => ({ type: 'ReleaseStock', data: { sku, orderId }, metadata });
const commit = (orderId: string): StockCommand => ({ type: 'CommitStock', data: { sku, orderId }, metadata });

const added = (quantity: number): InventoryEvent => ({ type: 'StockAdded', data: { sku, quantity, at } });
const reserved = (orderId: string, quantity: number): InventoryEvent => ({ type: 'StockReserved', data: { sku, orderId, quantity, at } });
const rejected = (orderId: string, quantity: number, available: number, reason: string): InventoryEvent => ({
  type: 'StockReservationRejected',
  data: { sku, orderId, quantity, available, reason, at },
});
const released = (orderId: string, quantity: number): InventoryEvent => ({ type: 'StockReleased', data: { sku, orderId, quantity, at } });
const committed = (orderId: string, quantity: number): InventoryEvent => ({ type: 'StockCommitted', data: { sku, orderId, quantity, at } });
const commitRejected = (orderId: string): InventoryEvent => ({
  type: 'StockCommitRejected',
  data: {
    sku,
    orderId,
    reason: `order ${orderId} holds no reserved stock of ${sku} (never reserved, released, or committed already): nothing is committed`,
    at,
  },
});

const stateAfter = (events: InventoryEvent[]): Stock => events.reduce(evolve, initialState());
/** A Stock as a snapshot stores it, through JSON: its reservations a record of order id to quantity. */
const asJson = (state: Stock): unknown => JSON.parse(JSON.stringify(storedStock(state)));

describe('inventory: stock of one sku', () => {
  describe('AddStock', () => {
    it('adds to a sku never stocked before', () =>
      spec
        .given([])
        .when(add(5))
        .then([added(5)]));
    it('adds to stock already there', () =>
      spec
        .given([added(5), reserved('o1', 2)])
        .when(add(3))
        .then([added(3)]));
    it.each([0, -1, 1.5, Number.NaN])('refuses a quantity of %p', (quantity) =>
      spec
        .given([])
        .when(add(quantity))
        .thenThrows(StockRuleBroken, /must be a positive integer/),
    );
    it('refuses to go above the limit per sku', () =>
      spec
        .given([added(MAX_STOCK - 1)])
        .when(add(2))
        .thenThrows(StockRuleBroken, `adding 2 to ${sku} would make ${MAX_STOCK + 1}`));
    it('accepts stock up to the limit exactly', () =>
      spec
        .given([added(MAX_STOCK - 1)])
        .when(add(1))
        .then([added(1)]));
    it('refuses a sku catalog has no product for (yet), before looking at the quantity', () => {
      spec.given([]).when(add(5, false)).thenThrows(SkuNotInCatalog, `catalog has no product ${sku} (yet)`);
      spec
        .given([])
        .when(add(0, false))
        .thenThrows(SkuNotInCatalog, /catalog has no product/);
    });
  });

  describe('ReserveStock', () => {
    it('reserves what is available', () =>
      spec
        .given([added(5)])
        .when(reserve('o1', 3))
        .then([reserved('o1', 3)]));
    it('reserves the last unit', () =>
      spec
        .given([added(5), reserved('o1', 3)])
        .when(reserve('o2', 2))
        .then([reserved('o2', 2)]));

    it('rejects more than is available, naming the sku and the numbers', () =>
      spec
        .given([added(3)])
        .when(reserve('o1', 5))
        .then([rejected('o1', 5, 3, 'insufficient stock for SKU-1: 3 available, 5 requested')]));

    it('counts what other orders hold', () =>
      spec
        .given([added(5), reserved('o1', 3)])
        .when(reserve('o2', 3))
        .then([rejected('o2', 3, 2, 'insufficient stock for SKU-1: 2 available, 3 requested')]));

    it('rejects a sku that was never stocked', () =>
      spec
        .given([])
        .when(reserve('o1', 1))
        .then([rejected('o1', 1, 0, 'insufficient stock for SKU-1: 0 available, 1 requested')]));

    it.each([0, -2, 0.5])('rejects (never throws) a quantity of %p', (quantity) =>
      spec
        .given([added(5)])
        .when(reserve('o1', quantity))
        .then([rejected('o1', quantity, 5, `the quantity reserved of SKU-1 must be a positive integer, not ${quantity}`)]),
    );

    it('answers a second reservation for the same order with what it holds, taking nothing more', () => {
      spec
        .given([added(5), reserved('o1', 2)])
        .when(reserve('o1', 2))
        .then([reserved('o1', 2)]);
      // even when the second asks for another quantity, or for more than is left
      spec
        .given([added(5), reserved('o1', 2)])
        .when(reserve('o1', 9))
        .then([reserved('o1', 2)]);
    });

    it('reserves again for an order whose reservation was released', () =>
      spec
        .given([added(5), reserved('o1', 2), released('o1', 2)])
        .when(reserve('o1', 4))
        .then([reserved('o1', 4)]));
  });

  describe('ReleaseStock', () => {
    it('releases what the order holds', () =>
      spec
        .given([added(5), reserved('o1', 3), reserved('o2', 1)])
        .when(release('o1'))
        .then([released('o1', 3)]));
    it('answers 0 for an order that holds nothing here', () =>
      spec
        .given([added(5), reserved('o2', 1)])
        .when(release('o1'))
        .then([released('o1', 0)]));
    it('answers 0 for an order whose reservation was rejected', () =>
      spec
        .given([added(1), rejected('o1', 2, 1, 'insufficient stock for SKU-1: 1 available, 2 requested')])
        .when(release('o1'))
        .then([released('o1', 0)]));
    it('answers 0 when released twice', () =>
      spec
        .given([added(5), reserved('o1', 3), released('o1', 3)])
        .when(release('o1'))
        .then([released('o1', 0)]));
    it('answers 0 on a sku never stocked', () =>
      spec
        .given([])
        .when(release('o1'))
        .then([released('o1', 0)]));
  });

  describe('CommitStock', () => {
    it('commits all the order holds: reserved becomes dispatched', () =>
      spec
        .given([added(5), reserved('o1', 3), reserved('o2', 1)])
        .when(commit('o1'))
        .then([committed('o1', 3)]));
    it('commits the last reservation, leaving nothing available or reserved', () =>
      spec
        .given([added(2), reserved('o1', 2)])
        .when(commit('o1'))
        .then([committed('o1', 2)]));
    it('rejects (never throws) a commit for an order that never reserved the sku', () =>
      spec
        .given([added(5), reserved('o2', 1)])
        .when(commit('o1'))
        .then([commitRejected('o1')]));
    it('rejects a commit for an order whose reservation was released', () =>
      spec
        .given([added(5), reserved('o1', 3), released('o1', 3)])
        .when(commit('o1'))
        .then([commitRejected('o1')]));
    it('rejects a commit for an order whose reservation was rejected', () =>
      spec
        .given([added(1), rejected('o1', 2, 1, 'insufficient stock for SKU-1: 1 available, 2 requested')])
        .when(commit('o1'))
        .then([commitRejected('o1')]));
    it('rejects a second commit for the same order: what was dispatched is not dispatched again', () =>
      spec
        .given([added(5), reserved('o1', 3), committed('o1', 3)])
        .when(commit('o1'))
        .then([commitRejected('o1')]));
    it('rejects a commit on a sku never stocked', () =>
      spec
        .given([])
        .when(commit('o1'))
        .then([commitRejected('o1')]));
    it('leaves a committed order nothing to release', () =>
      spec
        .given([added(5), reserved('o1', 3), committed('o1', 3)])
        .when(release('o1'))
        .then([released('o1', 0)]));
  });

  describe('evolve', () => {
    it('keeps the counts and who holds what', () => {
      expect(asJson(stateAfter([added(5), reserved('o1', 3), reserved('o2', 1), released('o1', 3), added(2)]))).toEqual({
        sku,
        added: 7,
        available: 6,
        reserved: 1,
        dispatched: 0,
        reservations: { o2: 1 },
      });
    });

    it('moves a commit from reserved to dispatched, and a rejected commit moves nothing', () => {
      expect(asJson(stateAfter([added(5), reserved('o1', 3), reserved('o2', 1), committed('o1', 3), commitRejected('o3')]))).toEqual({
        sku,
        added: 5,
        available: 1,
        reserved: 1,
        dispatched: 3,
        reservations: { o2: 1 },
      });
    });

    it('does not count a repeated reservation answer twice', () => {
      expect(asJson(stateAfter([added(5), reserved('o1', 2), reserved('o1', 2)]))).toMatchObject({ available: 3, reserved: 2, reservations: { o1: 2 } });
    });

    it('treats order ids as data, never as members of the record', () => {
      spec
        .given([added(5)])
        .when(reserve('constructor', 1))
        .then([reserved('constructor', 1)]);
      spec
        .given([added(5)])
        .when(release('toString'))
        .then([released('toString', 0)]);
    });

    it('survives a JSON round trip, as a snapshot stores it, its reservations in the order they were made', () => {
      const state = stateAfter([added(5), reserved('o3', 1), reserved('o1', 3), reserved('o2', 1), committed('o2', 1)]);
      const revived = reviveStock(asJson(state));
      expect(revived).toEqual(state);
      expect([...revived.reservations.keys()]).toEqual(['o3', 'o1']);
      expect(evolve(revived, reserved('o4', 1)).reservations.get('o4')).toBe(1);
    });

    it('keeps through a snapshot the reservations of order ids that name an object member', () => {
      const state = stateAfter([added(5), reserved('__proto__', 1), reserved('constructor', 2), reserved('toString', 1)]);
      const revived = reviveStock(asJson(state));
      expect([...revived.reservations]).toEqual([
        ['__proto__', 1],
        ['constructor', 2],
        ['toString', 1],
      ]);
    });
  });

  describe('invariants, over any sequence of commands', () => {
    const orderId = fc.constantFrom('o1', 'o2', 'o3', 'o4');
    const command: fc.Arbitrary<StockCommand> = fc.oneof(
      fc.integer({ min: 1, max: 50 }).map(add),
      fc.tuple(orderId, fc.integer({ min: -2, max: 40 })).map(([order, quantity]) => reserve(order, quantity)),
      orderId.map(release),
      // Commits of orders that hold stock, and of orders that hold none (released, committed, never reserved).
      orderId.map(commit),
    );
    const sum = (quantities: number[]) => quantities.reduce((total, quantity) => total + quantity, 0);
    /** Which invariant the stock breaks, if any; the totals are what the events said, counted apart from the state. */
    const broken = (state: Stock, totalAdded: number, totalCommitted: number): string | undefined => {
      if (state.available < 0) return 'available < 0';
      if (state.reserved < 0) return 'reserved < 0';
      if (state.added !== totalAdded) return 'added is not what StockAdded added';
      if (state.dispatched !== totalCommitted) return 'dispatched is not what StockCommitted committed';
      if (state.available + state.reserved + state.dispatched !== state.added) return 'available + reserved + dispatched != added';
      if (sum([...state.reservations.values()]) !== state.reserved) return 'the reservations do not sum to reserved';
      return undefined;
    };

    it('keeps available >= 0 and available + reserved + dispatched = added at every step, and answers every other command once', () => {
      // Across all runs: the property is worth something only if commits did happen.
      let commitsSeen = 0;
      fc.assert(
        fc.property(fc.array(command, { maxLength: 60, size: 'max' }), (commands) => {
          let state = initialState();
          let totalAdded = 0;
          let totalCommitted = 0;
          for (const next of commands) {
            const events = decide(next, state);
            if (next.type !== 'AddStock' && events.length !== 1) throw new Error(`${next.type} answered with ${events.length} events`);
            for (const event of events) {
              if (event.type === 'StockAdded') totalAdded += event.data.quantity;
              if (event.type === 'StockCommitted') totalCommitted += event.data.quantity;
            }
            state = events.reduce(evolve, state);
            // Checked after every step, not only at the end: a sequence may break an invariant and mend it later.
            const problem = broken(state, totalAdded, totalCommitted);
            if (problem) throw new Error(`${problem} after ${next.type} ${JSON.stringify(next.data)}: ${JSON.stringify(state)}`);
          }
          if (totalCommitted > 0) commitsSeen++;
        }),
        { numRuns: 300 },
      );
      expect(commitsSeen).toBeGreaterThan(100);
    });
  });
});
