// The Order decider: three pure functions. Time arrives in command metadata, ids in
// command data, and the prices orders' price table holds for the lines' skus arrive as a
// fact the application layer looked up: `decide` owns every rule of an order's lines.
import type { Command, Decider } from '@ordo/eventstore';
import type { OrderEvent, OrderLine, ShipTo } from '@ordo/orders-contract';
import {
  cancellationStarted,
  cancelOrder,
  completeCancellation,
  refuseCancellation,
  type CancelOrder,
  type CompleteCancellation,
  type RefuseCancellation,
} from './cancellation';
import { OrderAlreadyExists, OrderLinesRefused, OrderNotFound, OrderRuleBroken, UnknownCustomer, type LineProblem } from './errors';

export type { OrderEvent, OrderLine };

/** A line as a customer asks for it; the decider prices it. */
export interface RequestedLine {
  sku: string;
  quantity: number;
}

/** A customer as customers answers for it: where it ships, and who registered it (a caller scope, as `owner` is). */
export interface KnownCustomer {
  address: ShipTo;
  owner: string;
}

/**
 * `owner`: who places it (a token's subject, or `address:<ip>`); only it and viewers read
 * the order. `actsForAnyCustomer`: the caller may order for customers it did not register
 * (the edge says which roles may); otherwise only for those it did. `cardToken`: the
 * caller's card, recorded for the saga that authorizes the payment.
 */
export type PlaceOrder = Command<
  'PlaceOrder',
  { orderId: string; owner: string; actsForAnyCustomer: boolean; customerId: string; lines: RequestedLine[]; cardToken?: string },
  {
    /** Unit prices in cents by sku, of the skus orders' price table knows. */
    prices: Readonly<Record<string, number>>;
    /** The customer as customers answered for it; undefined: customers knows no such customer. */
    customer: KnownCustomer | undefined;
  }
>;
export type ConfirmOrder = Command<'ConfirmOrder', { orderId: string }>;
export type RejectOrder = Command<'RejectOrder', { orderId: string; reason: string }>;
/** The order's shipment was dispatched: from shipping's ShipmentDispatched, never over HTTP. */
export type MarkShipped = Command<'MarkShipped', { orderId: string; shipmentId: string }>;
export type { CancelOrder, CompleteCancellation, RefuseCancellation };
export type OrderCommand = PlaceOrder | ConfirmOrder | RejectOrder | MarkShipped | CancelOrder | CompleteCancellation | RefuseCancellation;

interface Placed {
  orderId: string;
  /** Absent for an order recorded before owners were: nobody owns it. */
  owner?: string;
  /** Absent for an order placed before orders checked customers. */
  customerId?: string;
  lines: OrderLine[];
  totalCents: number;
  placedAt: string;
}

/** A cancellation asked for and neither carried out nor refused yet. */
export interface CancellationAsked {
  reason: string;
  requestedAt: string;
}
type Cancellable = { cancellation?: CancellationAsked };

/**
 * JSON only: the state is also a snapshot. A shipped order may still carry a cancellation:
 * its parcel left before the cancellation saga could stop it, which then refuses it.
 */
export type Order =
  | { status: 'absent' }
  | (Placed & Cancellable & { status: 'pending' })
  | (Placed & Cancellable & { status: 'confirmed'; confirmedAt: string })
  | (Placed & { status: 'rejected'; reason: string; rejectedAt: string })
  | (Placed & Cancellable & { status: 'shipped'; confirmedAt: string; shipmentId: string; shippedAt: string })
  | (Placed & { status: 'cancelled'; reason: string; cancelledAt: string });

/** What every placed order keeps, whatever became of it. */
const placedPart = ({ orderId, owner, customerId, lines, totalCents, placedAt }: Placed): Placed => ({
  orderId,
  ...(owner !== undefined && { owner }),
  ...(customerId !== undefined && { customerId }),
  lines,
  totalCents,
  placedAt,
});

export const initialState = (): Order => ({ status: 'absent' });

export const totalOf = (lines: readonly OrderLine[]): number => lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);

/**
 * Prices every line, or refuses the order naming every line at fault (a sku already on an
 * earlier line, a sku with no price), so the client can fix them all at once. The bounds
 * of a request (1 to 50 lines, quantities 1 to 1,000) are the HTTP schema's; the event's
 * schema refuses any other quantity at append.
 */
const priceLines = (lines: readonly RequestedLine[], prices: Readonly<Record<string, number>>): OrderLine[] => {
  const seen = new Set<string>();
  const problems: LineProblem[] = [];
  const priced = lines.map(({ sku, quantity }, line) => {
    if (seen.has(sku)) problems.push({ line, message: `sku ${sku} is already on an earlier line` });
    seen.add(sku);
    const unitPriceCents = Object.hasOwn(prices, sku) ? prices[sku] : undefined;
    if (unitPriceCents === undefined) problems.push({ line, message: `unknown sku ${sku}` });
    return { sku, quantity, unitPriceCents: unitPriceCents ?? 0 };
  });
  if (problems.length > 0) throw new OrderLinesRefused('some lines of the order cannot be placed', problems);
  return priced;
};

export const decide = (command: OrderCommand, state: Order): OrderEvent[] => {
  switch (command.type) {
    case 'PlaceOrder': {
      const { orderId, owner, actsForAnyCustomer, customerId, cardToken } = command.data;
      const { customer, prices, now } = command.metadata;
      if (state.status !== 'absent') throw new OrderAlreadyExists(orderId);
      if (owner.length === 0) throw new OrderRuleBroken('an order needs the owner who places it');
      // Someone else's customer is refused as an unknown one: the answer does not say it exists.
      if (!customer || !(actsForAnyCustomer || customer.owner === owner)) throw new UnknownCustomer(customerId);
      const lines = priceLines(command.data.lines, prices);
      const paidWith = cardToken === undefined ? {} : { cardToken };
      return [{ type: 'OrderPlaced', data: { orderId, owner, customerId, shipTo: customer.address, ...paidWith, lines, totalCents: totalOf(lines), at: now } }];
    }
    case 'ConfirmOrder': {
      const { orderId } = command.data;
      switch (state.status) {
        case 'absent':
          throw new OrderNotFound(orderId);
        case 'pending': {
          const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, at: command.metadata.now } };
          // Asked to cancel while the saga confirmed it: once confirmed, the order is undone by the cancellation saga.
          return state.cancellation ? [confirmed, cancellationStarted(state, state.cancellation.reason, command.metadata.now)] : [confirmed];
        }
        case 'confirmed':
        case 'shipped':
          return []; // already decided this way: the sender gets its answer from the first event
        case 'rejected':
        case 'cancelled':
          throw new OrderRuleBroken(`order ${orderId} was ${state.status} (${state.reason}); it cannot be confirmed`);
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
          // The saga undid the order because its owner asked to cancel it: it ends cancelled, with the owner's reason.
          if (state.cancellation) return [{ type: 'OrderCancelled', data: { orderId, reason: state.cancellation.reason, at: command.metadata.now } }];
          return [{ type: 'OrderRejected', data: { orderId, reason, at: command.metadata.now } }];
        case 'rejected':
        case 'cancelled':
          return [];
        case 'confirmed':
        case 'shipped':
          throw new OrderRuleBroken(`order ${orderId} is ${state.status}; it cannot be rejected`);
        default: {
          const unknown: never = state;
          throw new Error(`unknown order state ${JSON.stringify(unknown)}`);
        }
      }
    }
    case 'MarkShipped': {
      const { orderId, shipmentId } = command.data;
      switch (state.status) {
        case 'absent':
          throw new OrderNotFound(orderId);
        case 'pending':
          // Dispatched before the saga confirmed the order: it is not shipped until it is confirmed.
          throw new OrderRuleBroken(`order ${orderId} is pending; only a confirmed order is shipped`);
        case 'rejected':
        case 'cancelled':
          throw new OrderRuleBroken(`order ${orderId} was ${state.status} (${state.reason}); it cannot be shipped`);
        case 'confirmed':
          return [{ type: 'OrderShipped', data: { orderId, shipmentId, at: command.metadata.now } }];
        case 'shipped':
          return []; // one shipment per order: a dispatch told again changes nothing
        default: {
          const unknown: never = state;
          throw new Error(`unknown order state ${JSON.stringify(unknown)}`);
        }
      }
    }
    case 'CancelOrder':
      return cancelOrder(command, state);
    case 'CompleteCancellation':
      return completeCancellation(command, state);
    case 'RefuseCancellation':
      return refuseCancellation(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
};

export const evolve = (state: Order, event: OrderEvent): Order => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, owner, customerId, lines, totalCents, at } = event.data;
      return {
        status: 'pending',
        orderId,
        ...(owner !== undefined && { owner }),
        ...(customerId !== undefined && { customerId }),
        lines,
        totalCents,
        placedAt: at,
      };
    }
    case 'OrderConfirmed':
      return state.status === 'pending' ? { ...state, status: 'confirmed', confirmedAt: event.data.at } : state;
    case 'OrderRejected':
      return state.status === 'pending' ? { ...state, status: 'rejected', reason: event.data.reason, rejectedAt: event.data.at } : state;
    case 'OrderShipped':
      return state.status === 'confirmed' ? { ...state, status: 'shipped', shipmentId: event.data.shipmentId, shippedAt: event.data.at } : state;
    case 'OrderCancellationRequested': {
      const { reason, at } = event.data;
      return state.status === 'pending' || state.status === 'confirmed' ? { ...state, cancellation: { reason, requestedAt: at } } : state;
    }
    case 'OrderCancellationStarted':
      return state; // the request it follows is recorded already
    case 'OrderCancelled':
      return state.status === 'pending' || state.status === 'confirmed'
        ? { ...placedPart(state), status: 'cancelled', reason: event.data.reason, cancelledAt: event.data.at }
        : state;
    case 'OrderCancellationRefused': {
      if (state.status !== 'confirmed' && state.status !== 'shipped') return state;
      const goesOn = { ...state };
      delete goesOn.cancellation;
      return goesOn;
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
};

export const orderDecider: Decider<Order, OrderCommand, OrderEvent> = { initialState, evolve, decide };
