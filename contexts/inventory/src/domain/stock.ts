// Stock of one sku (stream `stock-<sku>`) as a decider: three pure functions.
// Time arrives in the command's metadata; nothing here reads a clock.
import type { AddStock, CommitStock, InventoryEvent, ReleaseStock, ReserveStock, StockReservationRejected } from '@ordo/inventory-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { SkuNotInCatalog, StockRuleBroken } from './errors';

/** Stock is added only for a sku catalog has a product for: the handler looks it up in inventory's copy of catalog. */
type AddStockCommand = Command<'AddStock', AddStock, { skuInCatalog: boolean }>;

export type StockCommand =
  AddStockCommand | Command<'ReserveStock', ReserveStock> | Command<'ReleaseStock', ReleaseStock> | Command<'CommitStock', CommitStock>;

/** Invariant: `available >= 0` and `available + reserved + dispatched === added`. */
export interface Stock {
  /** Undefined until the stream's first event. */
  sku: string | undefined;
  added: number;
  available: number;
  reserved: number;
  /** What left the warehouse: committed reservations. It never comes back. */
  dispatched: number;
  /** Quantity held per order id. A plain record, not a Map: snapshots store the state as JSON. */
  reservations: Record<string, number>;
}

/** No sku holds more than this, so sums stay exact integers. */
export const MAX_STOCK = 1_000_000_000;

export const initialState = (): Stock => ({ sku: undefined, added: 0, available: 0, reserved: 0, dispatched: 0, reservations: {} });

/** What an order holds of this sku, if anything. `hasOwn`: an order id must never find a prototype member. */
export const heldBy = (state: Stock, orderId: string): number | undefined =>
  Object.hasOwn(state.reservations, orderId) ? state.reservations[orderId] : undefined;

const without = (reservations: Record<string, number>, orderId: string): Record<string, number> =>
  Object.fromEntries(Object.entries(reservations).filter(([held]) => held !== orderId));

const isPositiveInteger = (quantity: number) => Number.isSafeInteger(quantity) && quantity > 0;

export const evolve = (state: Stock, event: InventoryEvent): Stock => {
  switch (event.type) {
    case 'StockAdded': {
      const { sku, quantity } = event.data;
      return { ...state, sku, added: state.added + quantity, available: state.available + quantity };
    }
    case 'StockReserved': {
      const { sku, orderId, quantity } = event.data;
      // A second reservation for an order answers with what it already holds: nothing more is taken.
      if (heldBy(state, orderId) !== undefined) return state;
      return {
        ...state,
        sku,
        available: state.available - quantity,
        reserved: state.reserved + quantity,
        reservations: { ...state.reservations, [orderId]: quantity },
      };
    }
    case 'StockReservationRejected':
      return { ...state, sku: event.data.sku };
    case 'StockReleased': {
      const { sku, orderId, quantity } = event.data;
      return {
        ...state,
        sku,
        available: state.available + quantity,
        reserved: state.reserved - quantity,
        reservations: without(state.reservations, orderId),
      };
    }
    case 'StockCommitted': {
      const { sku, orderId, quantity } = event.data;
      return {
        ...state,
        sku,
        reserved: state.reserved - quantity,
        dispatched: state.dispatched + quantity,
        reservations: without(state.reservations, orderId),
      };
    }
    case 'StockCommitRejected':
      return { ...state, sku: event.data.sku };
    default: {
      const unknown: never = event;
      throw new Error(`unknown inventory event ${JSON.stringify(unknown)}`);
    }
  }
};

const rejection = ({ sku, orderId, quantity }: ReserveStock, available: number, reason: string, at: string): InventoryEvent => {
  const data: StockReservationRejected = { sku, orderId, quantity, available, reason, at };
  return { type: 'StockReservationRejected', data };
};

export const decide = (command: StockCommand, state: Stock): InventoryEvent[] => {
  const at = command.metadata.now;
  switch (command.type) {
    case 'AddStock': {
      const { sku, quantity } = command.data;
      if (!command.metadata.skuInCatalog) throw new SkuNotInCatalog(sku);
      if (!isPositiveInteger(quantity)) throw new StockRuleBroken(`the quantity added to ${sku} must be a positive integer, not ${quantity}`);
      if (state.added + quantity > MAX_STOCK) {
        throw new StockRuleBroken(`adding ${quantity} to ${sku} would make ${state.added + quantity}, above the limit of ${MAX_STOCK}`);
      }
      return [{ type: 'StockAdded', data: { sku, quantity, at } }];
    }
    case 'ReserveStock': {
      const { sku, orderId, quantity } = command.data;
      const held = heldBy(state, orderId);
      if (held !== undefined) return [{ type: 'StockReserved', data: { sku, orderId, quantity: held, at } }];
      if (!isPositiveInteger(quantity)) {
        return [rejection(command.data, state.available, `the quantity reserved of ${sku} must be a positive integer, not ${quantity}`, at)];
      }
      if (quantity > state.available) {
        return [rejection(command.data, state.available, `insufficient stock for ${sku}: ${state.available} available, ${quantity} requested`, at)];
      }
      return [{ type: 'StockReserved', data: { sku, orderId, quantity, at } }];
    }
    case 'ReleaseStock': {
      const { sku, orderId } = command.data;
      // Always an answer: 0 when the order holds nothing here (never reserved, rejected, or released already).
      return [{ type: 'StockReleased', data: { sku, orderId, quantity: heldBy(state, orderId) ?? 0, at } }];
    }
    case 'CommitStock': {
      const { sku, orderId } = command.data;
      const held = heldBy(state, orderId);
      // Nothing held is nothing to move: committing it anyway would take dispatched stock from nowhere.
      if (held === undefined) {
        const reason = `order ${orderId} holds no reserved stock of ${sku} (never reserved, released, or committed already): nothing is committed`;
        return [{ type: 'StockCommitRejected', data: { sku, orderId, reason, at } }];
      }
      return [{ type: 'StockCommitted', data: { sku, orderId, quantity: held, at } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown inventory command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The decider as one value, for the command handler and the test kit. */
export const stockDecider: Decider<Stock, StockCommand, InventoryEvent> = { initialState, evolve, decide };
