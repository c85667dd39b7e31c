// Orders' use cases: load the order, decide, append (through commandHandler), after
// the checks that need I/O, such as pricing the lines from orders' own price table.
import { commandHandler, type CommandMetadata, type EventStore } from '@ordo/eventstore';
import { BadRequest, type FieldError } from '@ordo/http';
import { orderStream } from '@ordo/orders-contract';
import { OrderNotFound } from '../domain/errors';
import { orderDecider, repeatedSkuLines, type Order, type OrderCommand, type OrderEvent, type OrderLine } from '../domain/order';

export interface Price {
  name: string;
  priceCents: number;
}

/** Orders' copy of catalog's prices (a service never reads another's database). */
export interface PriceTable {
  /** The prices of those skus it knows; an unknown sku is absent from the map. */
  pricesOf(skus: readonly string[]): Promise<Map<string, Price>>;
}

export interface PlaceOrderInput {
  orderId: string;
  /** Who places it: `callerScope` of the request. */
  owner: string;
  lines: { sku: string; quantity: number }[];
  /** ISO time captured by the caller (HTTP route, consumer). */
  now: string;
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

/**
 * Prices each line, or fails with every line at fault named as a field (a sku on an
 * earlier line, a sku orders has no price for), so the client can fix them all at once.
 */
const priceLines = async (prices: PriceTable, lines: PlaceOrderInput['lines']): Promise<OrderLine[]> => {
  const known = await prices.pricesOf(lines.map((line) => line.sku));
  const repeated = new Set(repeatedSkuLines(lines));
  const errors: FieldError[] = [];
  const priced = lines.flatMap(({ sku, quantity }, index) => {
    const path = `/lines/${index}/sku`;
    if (repeated.has(index)) errors.push({ in: 'body', path, message: `sku ${sku} is already on an earlier line` });
    const price = known.get(sku);
    if (!price) errors.push({ in: 'body', path, message: `unknown sku ${sku}` });
    return price ? [{ sku, quantity, unitPriceCents: price.priceCents }] : [];
  });
  if (errors.length > 0) throw new BadRequest('some lines of the order cannot be placed', errors);
  return priced;
};

export const ordersApplication = ({ store, prices }: { store: EventStore; prices: PriceTable }) => {
  // Orders live for a handful of events: snapshots would cost more than they save.
  const orders = commandHandler<Order, OrderEvent>({ store, aggregate: orderDecider });
  const handle = async (command: OrderCommand, metadata: CommandMetadata): Promise<OrderAt> => {
    const { orderId } = command.data;
    return existing(orderId, await orders.handle(orderStream(orderId), metadata, (state) => orderDecider.decide(command, state)));
  };

  return {
    placeOrder: async ({ orderId, owner, lines, now }: PlaceOrderInput, metadata: CommandMetadata): Promise<OrderAt> => {
      const priced = await priceLines(prices, lines);
      return handle({ type: 'PlaceOrder', data: { orderId, owner, lines: priced }, metadata: { now } }, metadata);
    },
    confirmOrder: (orderId: string, now: string, metadata: CommandMetadata): Promise<OrderAt> =>
      handle({ type: 'ConfirmOrder', data: { orderId }, metadata: { now } }, metadata),
    rejectOrder: (orderId: string, reason: string, now: string, metadata: CommandMetadata): Promise<OrderAt> =>
      handle({ type: 'RejectOrder', data: { orderId, reason }, metadata: { now } }, metadata),
    getOrder: async (orderId: string): Promise<OrderAt> => existing(orderId, await orders.read(orderStream(orderId))),
  };
};

export type OrdersApplication = ReturnType<typeof ordersApplication>;
