import type { ProjectedEvent } from '@ordo/projections';
import { evolveStock, NO_STOCK, type StockCounts } from './stock-row';

// One batch of the inventory view, folded in memory: the skus' counts as stored, and the
// reservations the batch's events name, in; the counts and reservations it changed, out.

/** A sku's counts and the revision of its stream they reflect. */
export interface StoredCounts extends StockCounts {
  revision: bigint;
}

/** An event and the sku it concerns. */
export interface StockEvent {
  event: ProjectedEvent;
  sku: string;
}

/** A reservation as the batch leaves it: what the order holds of the sku, or nothing (null). */
export interface HeldReservation {
  sku: string;
  orderId: string;
  quantity: number | null;
}

/** One key per (sku, order): an order id is any string, so the pair is encoded, not joined. */
export const reservationKey = (sku: string, orderId: string): string => JSON.stringify([sku, orderId]);

/** The order an event of the sku's reservations names, if any. */
export const orderOf = (event: ProjectedEvent): string | undefined => {
  const orderId = (event.data as { orderId?: unknown } | null)?.orderId;
  return typeof orderId === 'string' ? orderId : undefined;
};

export interface FoldedBatch {
  /** Every sku's counts after the batch: the stored ones, changed in place. */
  counts: Map<string, StoredCounts>;
  changed: Set<string>;
  /** The reservations the batch changed, by reservationKey. */
  reservations: Map<string, HeldReservation>;
}

/**
 * Folds the events (in order per sku) into the stored counts, skipping an event at or below
 * its sku's stored revision: applied twice, or by a replay behind the live runner, it
 * changes nothing. `held` holds what the batch's orders held before it, by reservationKey.
 */
export const foldStockEvents = (events: StockEvent[], stored: Map<string, StoredCounts>, held: ReadonlyMap<string, number>): FoldedBatch => {
  const counts = stored;
  const changed = new Set<string>();
  const reservations = new Map<string, HeldReservation>();
  const heldNow = (sku: string, orderId: string) => {
    const key = reservationKey(sku, orderId);
    const changedHere = reservations.get(key);
    return changedHere ? (changedHere.quantity ?? undefined) : held.get(key);
  };
  for (const { event, sku } of events) {
    const before = counts.get(sku);
    if (before && event.revision <= before.revision) continue;
    const { counts: after, reservation } = evolveStock(before ?? NO_STOCK, event, (orderId) => heldNow(sku, orderId));
    counts.set(sku, { added: after.added, available: after.available, reserved: after.reserved, dispatched: after.dispatched, revision: event.revision });
    changed.add(sku);
    if (reservation) reservations.set(reservationKey(sku, reservation.orderId), { sku, ...reservation });
  }
  return { counts, changed, reservations };
};
