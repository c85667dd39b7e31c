// What every version of order placement shares: an instance's data, the two steps each
// begins with (the order, whose compensation rejects it, then a reservation per line) and the
// policies, which order cancellation uses too. A change here changes version 1's decisions
// too: the replay check fails on it.
import { fanOut, step } from '@ordo/saga';
import { ReleaseStockEndpoint, ReserveStockEndpoint } from '@ordo/inventory-contract';
import { RejectOrderEndpoint, type ShipTo } from '@ordo/orders-contract';

/**
 * What an instance keeps of its OrderPlaced. Version 1 keeps the order and its lines only;
 * version 2 also keeps what it pays and ships with, each as the order has it (an order
 * placed without a card token or an address has none).
 */
export interface OrderPlacementData {
  orderId: string;
  lines: { sku: string; quantity: number }[];
  totalCents?: number;
  shipTo?: ShipTo;
  cardToken?: string;
}

/** A reservation or a step before the pivot nobody answers is sent once more, then the order is rejected. */
export const BEFORE_THE_PIVOT = { timeoutMs: 30_000, retry: { attempts: 2 } };
/**
 * A step before the pivot that must not give up (a cancellation waits for shipping's answer,
 * since the shipment may yet be cancelled): sent with the same id until answered, each 30 s
 * deadline followed by a wait doubling from 1 s up to 30 s.
 */
export const UNTIL_ANSWERED_BEFORE_THE_PIVOT = { timeoutMs: 30_000, retry: { attempts: Number.POSITIVE_INFINITY, maxBackoffMs: 30_000 } };
/** At and after the pivot a command is sent until it is answered, however long that takes. */
export const AT_AND_AFTER_THE_PIVOT = { timeoutMs: 30_000 };

// No action: the order exists already. Its compensation ends every rollback, with the failure's reason.
export const orderStep = step('order', {
  compensation: {
    endpoint: RejectOrderEndpoint,
    data: ({ saga, reason }: { saga: OrderPlacementData; reason: string }) => ({ orderId: saga.orderId, reason }),
  },
  timeoutMs: 30_000,
});

// A refused reservation's reason (StockReservationRejected's `reason`) is the reason the order is rejected with.
export const reserveStockStep = fanOut('reserveStock', {
  over: (saga: OrderPlacementData) => saga.lines,
  key: (line) => line.sku,
  action: { endpoint: ReserveStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId, quantity: line.quantity }) },
  compensation: { endpoint: ReleaseStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId }) },
  ...BEFORE_THE_PIVOT,
});
