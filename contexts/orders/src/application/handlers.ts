// Orders' use cases: load the order, decide, append (through commandHandler), after
// looking up what the decider needs from I/O: the prices of the lines' skus.
import { commandHandler, type CommandContext, type EventStore } from '@ordo/eventstore';
import { orderStream } from '@ordo/orders-contract';
import { OrderNotFound } from '../domain/errors';
import {
  orderDecider,
  type CancelOrder,
  type CompleteCancellation,
  type ConfirmOrder,
  type KnownCustomer,
  type MarkShipped,
  type Order,
  type OrderCommand,
  type PlaceOrder,
  type RefuseCancellation,
  type RejectOrder,
} from '../domain/order';

export interface Price {
  name: string;
  priceCents: number;
}

/** Customers, as orders asks it (over HTTP: customers.ts): the customer's address and owner, or undefined for one it does not know. */
export interface CustomerDirectory {
  /** Throws DependencyUnavailable when customers cannot answer: the order is refused and nothing appended. */
  customerOf(customerId: string): Promise<KnownCustomer | undefined>;
}

/** Orders' copy of catalog's prices (a service never reads another's database). */
export interface PriceTable {
  /** The prices of those skus it knows; an unknown sku is absent from the map. */
  pricesOf(skus: readonly string[]): Promise<Map<string, Price>>;
}

export type PlacedOrder = Exclude<Order, { status: 'absent' }>;

/** An order and the revision of its stream: the ETag of what was read or written. */
export interface OrderAt {
  order: PlacedOrder;
  revision: bigint;
}

const existing = (orderId: string, { state, revision }: { state: Order; revision: bigint }): OrderAt => {
  if (state.status === 'absent') throw new OrderNotFound(orderId);
  return { order: state, revision };
};

export interface OrdersHandlersPorts {
  store: EventStore;
  prices: PriceTable;
  customers: CustomerDirectory;
}

export const ordersHandlers = ({ store, prices, customers }: OrdersHandlersPorts) => {
  // Orders live for a handful of events: snapshots would cost more than they save.
  const orders = commandHandler({ store, aggregate: orderDecider });
  const run = async (command: OrderCommand, context: CommandContext): Promise<OrderAt> => {
    const { orderId } = command.data;
    return existing(orderId, await orders.handle(orderStream(orderId), context, (state) => orderDecider.decide(command, state)));
  };

  return {
    /** Prices the lines from orders' own price table and asks customers for the customer; the decider refuses what it cannot place. */
    placeOrder: async (data: PlaceOrder['data'], context: CommandContext): Promise<OrderAt> => {
      const [known, customer] = await Promise.all([prices.pricesOf(data.lines.map((line) => line.sku)), customers.customerOf(data.customerId)]);
      const unitPrices = Object.fromEntries([...known].map(([sku, price]) => [sku, price.priceCents]));
      return run({ type: 'PlaceOrder', data, metadata: { now: context.now, prices: unitPrices, customer } }, context);
    },
    confirmOrder: (data: ConfirmOrder['data'], context: CommandContext) => run({ type: 'ConfirmOrder', data, metadata: { now: context.now } }, context),
    rejectOrder: (data: RejectOrder['data'], context: CommandContext) => run({ type: 'RejectOrder', data, metadata: { now: context.now } }, context),
    markShipped: (data: MarkShipped['data'], context: CommandContext) => run({ type: 'MarkShipped', data, metadata: { now: context.now } }, context),
    cancelOrder: (data: CancelOrder['data'], context: CommandContext) => run({ type: 'CancelOrder', data, metadata: { now: context.now } }, context),
    completeCancellation: (data: CompleteCancellation['data'], context: CommandContext) =>
      run({ type: 'CompleteCancellation', data, metadata: { now: context.now } }, context),
    refuseCancellation: (data: RefuseCancellation['data'], context: CommandContext) =>
      run({ type: 'RefuseCancellation', data, metadata: { now: context.now } }, context),
  };
};

export type OrdersHandlers = ReturnType<typeof ordersHandlers>;
