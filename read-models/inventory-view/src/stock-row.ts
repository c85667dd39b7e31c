import type { ProjectedEvent } from '@ordo/projections';
import type { InventoryEvent } from '@ordo/inventory-contract';

// One row per sku, folded from its stream (`stock-<sku>`) as inventory's evolve folds it:
// available + reserved + dispatched = added, and on hand (in the warehouse) = available + reserved.

export interface StockRow {
  [column: string]: unknown;
  sku: string;
  added: number;
  available: number;
  reserved: number;
  dispatched: number;
  /** Which orders hold the reserved stock: order id → quantity. */
  reservations: Record<string, number>;
}

export const STOCK_COLUMNS = ['added', 'available', 'reserved', 'dispatched', 'reservations'] as const;
export const STOCK_SOURCES = { inventory: { prefix: 'stock-', columns: STOCK_COLUMNS } } as const;

/** The sku an event concerns: every inventory event names it. */
export const stockKeyOf = (event: ProjectedEvent): string | undefined => {
  const sku = (event.data as { sku?: unknown } | null)?.sku;
  return typeof sku === 'string' ? sku : undefined;
};

const EMPTY = { added: 0, available: 0, reserved: 0, dispatched: 0, reservations: {} as Record<string, number> };

const without = (reservations: Record<string, number>, orderId: string) =>
  Object.fromEntries(Object.entries(reservations).filter(([held]) => held !== orderId));

/** The stock's columns after one of its events. */
export const evolveStock = (row: StockRow | null, event: ProjectedEvent): Partial<StockRow> => {
  // Counts read back from PostgreSQL may be strings (bigint): numbers from here on.
  const stock = row
    ? {
        added: Number(row.added),
        available: Number(row.available),
        reserved: Number(row.reserved),
        dispatched: Number(row.dispatched),
        reservations: row.reservations ?? {},
      }
    : EMPTY;
  const typed = { type: event.type, data: event.data } as InventoryEvent;
  switch (typed.type) {
    case 'StockAdded': {
      const { quantity } = typed.data;
      return { ...stock, added: stock.added + quantity, available: stock.available + quantity };
    }
    case 'StockReserved': {
      const { orderId, quantity } = typed.data;
      // A second reservation for an order answers with what it already holds: nothing more is taken.
      if (stock.reservations[orderId] !== undefined) return stock;
      return {
        ...stock,
        available: stock.available - quantity,
        reserved: stock.reserved + quantity,
        reservations: { ...stock.reservations, [orderId]: quantity },
      };
    }
    case 'StockReleased': {
      const { orderId, quantity } = typed.data;
      return { ...stock, available: stock.available + quantity, reserved: stock.reserved - quantity, reservations: without(stock.reservations, orderId) };
    }
    case 'StockCommitted': {
      const { orderId, quantity } = typed.data;
      return { ...stock, reserved: stock.reserved - quantity, dispatched: stock.dispatched + quantity, reservations: without(stock.reservations, orderId) };
    }
    case 'StockReservationRejected':
    case 'StockCommitRejected':
      return stock;
    default:
      return stock; // a type a later version of inventory records: a tolerant reader skips it
  }
};
