import type { ProjectedEvent } from '@ordo/projections';
import type { InventoryEvent } from '@ordo/inventory-contract';

// A sku's counts, folded from its stream (`stock-<sku>`) as inventory's evolve folds it:
// available + reserved + dispatched = added, and on hand (in the warehouse) = available + reserved.
// Which orders hold the reserved stock is kept apart, a row for each order (projection.ts):
// a hot sku holds thousands of them until they are dispatched.

export interface StockCounts {
  added: number;
  available: number;
  reserved: number;
  dispatched: number;
}

export const STOCK_PREFIX = 'stock-';

/** The sku an event concerns: every inventory event names it. */
export const stockKeyOf = (event: ProjectedEvent): string | undefined => {
  const sku = (event.data as { sku?: unknown } | null)?.sku;
  return typeof sku === 'string' ? sku : undefined;
};

export const NO_STOCK: StockCounts = { added: 0, available: 0, reserved: 0, dispatched: 0 };

/** What an event did to one order's reservation of the sku: it now holds `quantity`, or nothing (null). */
export interface ReservationChange {
  orderId: string;
  quantity: number | null;
}

export interface StockChange {
  counts: StockCounts;
  reservation?: ReservationChange;
}

/** The counts after one of the sku's events, and the reservation it changed; `heldBy` is what an order holds before it. */
export const evolveStock = (stock: StockCounts, event: ProjectedEvent, heldBy: (orderId: string) => number | undefined): StockChange => {
  const typed = { type: event.type, data: event.data } as InventoryEvent;
  switch (typed.type) {
    case 'StockAdded': {
      const { quantity } = typed.data;
      return { counts: { ...stock, added: stock.added + quantity, available: stock.available + quantity } };
    }
    case 'StockReserved': {
      const { orderId, quantity } = typed.data;
      // A second reservation for an order answers with what it already holds: nothing more is taken.
      if (heldBy(orderId) !== undefined) return { counts: stock };
      return {
        counts: { ...stock, available: stock.available - quantity, reserved: stock.reserved + quantity },
        reservation: { orderId, quantity },
      };
    }
    case 'StockReleased': {
      const { orderId, quantity } = typed.data;
      return {
        counts: { ...stock, available: stock.available + quantity, reserved: stock.reserved - quantity },
        reservation: { orderId, quantity: null },
      };
    }
    case 'StockCommitted': {
      const { orderId, quantity } = typed.data;
      return {
        counts: { ...stock, reserved: stock.reserved - quantity, dispatched: stock.dispatched + quantity },
        reservation: { orderId, quantity: null },
      };
    }
    case 'StockReservationRejected':
    case 'StockCommitRejected':
      return { counts: stock };
    default:
      return { counts: stock }; // a type a later version of inventory records: a tolerant reader skips it
  }
};
