// The Order decider: three pure functions. Time arrives in command
// metadata, ids in command data; prices arrive already looked up (the application
// layer reads orders' price table), so `decide` only adds them up.
import type { OrderEvent, OrderLine } from '@ordo/orders-contract';
import { OrderAlreadyExists, OrderNotFound, OrderRuleBroken } from './errors';

export type { OrderEvent, OrderLine };

interface CommandTime {
  /** ISO time the service captured when the command arrived. */
  now: string;
}

export interface PlaceOrder {
  type: 'PlaceOrder';
  /** `owner`: who places it (a token's subject, or `address:<ip>`); only it and viewers read the order. */
  data: { orderId: string; owner: string; lines: OrderLine[] };
  metadata: CommandTime;
}

export interface ConfirmOrder {
  type: 'ConfirmOrder';
  data: { orderId: string };
  metadata: CommandTime;
}

export interface RejectOrder {
  type: 'RejectOrder';
  data: { orderId: string; reason: string };
  metadata: CommandTime;
}

export type OrderCommand = PlaceOrder | ConfirmOrder | RejectOrder;

interface Placed {
  orderId: string;
  /** Absent for an order recorded before owners were: nobody owns it. */
  owner?: string;
  lines: OrderLine[];
  totalCents: number;
  placedAt: string;
}

/** JSON only: the state is also a snapshot. */
export type Order =
  | { status: 'absent' }
  | (Placed & { status: 'pending' })
  | (Placed & { status: 'confirmed'; confirmedAt: string })
  | (Placed & { status: 'rejected'; reason: string; rejectedAt: string });

export const initialState = (): Order => ({ status: 'absent' });

/** Indexes of lines whose sku an earlier line already has: an order holds each sku once. */
export const repeatedSkuLines = (lines: readonly { sku: string }[]): number[] => {
  const seen = new Set<string>();
  return lines.flatMap(({ sku }, index) => {
    if (seen.has(sku)) return [index];
    seen.add(sku);
    return [];
  });
};

export const totalOf = (lines: readonly OrderLine[]): number => lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);

const checkLines = (lines: readonly OrderLine[]) => {
  if (lines.length === 0) throw new OrderRuleBroken('an order needs at least one line');
  const [repeated] = repeatedSkuLines(lines);
  if (repeated !== undefined) throw new OrderRuleBroken(`sku ${lines[repeated]?.sku} appears on more than one line`);
  const bad = lines.find((line) => !Number.isInteger(line.quantity) || line.quantity < 1 || !Number.isInteger(line.unitPriceCents) || line.unitPriceCents < 0);
  if (bad) throw new OrderRuleBroken(`line ${bad.sku} needs a positive whole quantity and a non-negative whole price`);
};

export const decide = (command: OrderCommand, state: Order): OrderEvent[] => {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, owner, lines } = command.data;
      if (state.status !== 'absent') throw new OrderAlreadyExists(orderId);
      if (owner.length === 0) throw new OrderRuleBroken('an order needs the owner who places it');
      checkLines(lines);
      return [{ type: 'OrderPlaced', data: { orderId, owner, lines, totalCents: totalOf(lines), at: command.metadata.now } }];
    }
    case 'ConfirmOrder': {
      const { orderId } = command.data;
      switch (state.status) {
        case 'absent':
          throw new OrderNotFound(orderId);
        case 'pending':
          return [{ type: 'OrderConfirmed', data: { orderId, at: command.metadata.now } }];
        case 'confirmed':
          return []; // already decided this way: the sender gets its answer from the first event
        case 'rejected':
          throw new OrderRuleBroken(`order ${orderId} was rejected (${state.reason}); it cannot be confirmed`);
        default: {
          const unknown: never = state;
          throw new Error(`unknown order state ${JSON.stringify(unknown)}`);
        }
      }
    }
    case 'RejectOrder': {
      const { orderId, reason } = command.data;
      switch (state.status) {
        case 'absent':
          throw new OrderNotFound(orderId);
        case 'pending':
          return [{ type: 'OrderRejected', data: { orderId, reason, at: command.metadata.now } }];
        case 'rejected':
          return [];
        case 'confirmed':
          throw new OrderRuleBroken(`order ${orderId} is confirmed; it cannot be rejected`);
        default: {
          const unknown: never = state;
          throw new Error(`unknown order state ${JSON.stringify(unknown)}`);
        }
      }
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
};

export const evolve = (state: Order, event: OrderEvent): Order => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, owner, lines, totalCents, at } = event.data;
      return { status: 'pending', orderId, ...(owner !== undefined && { owner }), lines, totalCents, placedAt: at };
    }
    case 'OrderConfirmed':
      return state.status === 'pending' ? { ...state, status: 'confirmed', confirmedAt: event.data.at } : state;
    case 'OrderRejected':
      return state.status === 'pending' ? { ...state, status: 'rejected', reason: event.data.reason, rejectedAt: event.data.at } : state;
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
};

export const orderDecider = { initialState, evolve, decide };
