// Orders on the bus: the price feed (catalog's events into orders' price table), the
// shipping feed (shipping-feed.ts: a dispatched shipment marks its order shipped) and the
// handler of orders' command topic (the sagas' ConfirmOrder, RejectOrder, CompleteCancellation
// and RefuseCancellation).
import type { CommandContext } from '@ordo/eventstore';
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { COMMAND_SEQUENCES_AT_ONCE, commandMetadataOf, commandParser, publishedEventSchema } from '@ordo/messaging';
import type { SettleDelays } from '@ordo/http';
import type { Logger } from '@ordo/runtime';
import { CATALOG_EVENTS_TOPIC, PriceChanged, ProductAdded } from '@ordo/catalog-contract';
import { CONTEXT, ORDERS_COMMANDS_TOPIC, ordersCommandSchemas, type OrdersCommandMessage } from '@ordo/orders-contract';
import type { OrdersHandlers, PlacedOrder } from './application/handlers';
import { OrderRuleBroken } from './domain/errors';
import type { PriceUpdate, SqlPriceTable } from './prices';
import { shippingFeed } from './shipping-feed';

// ---- the price feed --------------------------------------------------------------

/** A catalog event as a price update; undefined for the event types orders has no use for. */
export const parseCatalogEvent = (value: unknown): PriceUpdate | undefined => {
  const event = publishedEventSchema.parse(value);
  switch (event.type) {
    case 'ProductAdded': {
      const { sku, name, priceCents } = ProductAdded.parse(event.data);
      return { type: 'ProductAdded', sku, name, priceCents, revision: event.revision };
    }
    case 'PriceChanged': {
      const { sku, priceCents } = PriceChanged.parse(event.data);
      return { type: 'PriceChanged', sku, priceCents, revision: event.revision };
    }
    default:
      return undefined;
  }
};

/**
 * Catalog's events into the price table, exactly once: with the inbox, the row and the
 * message id commit in one transaction; the revision guard makes a late or replayed
 * older event of a product change nothing.
 */
export const priceFeed = (prices: SqlPriceTable): ConsumerDefinition =>
  consumer<PriceUpdate | undefined>({
    groupId: 'orders-prices',
    topics: [CATALOG_EVENTS_TOPIC],
    inbox: true,
    parse: parseCatalogEvent,
    handle: async ({ value: update }, { query }) => {
      if (!update) return;
      if (!query) throw new Error('the price feed writes inside the inbox transaction, which the bus did not give');
      await prices.apply(query, update);
    },
  });

// ---- orders' command topic -------------------------------------------------------

/** The envelope, then the data by type. A command orders does not take cannot be handled: parse fails and it is parked. */
export const parseOrdersCommand = commandParser(CONTEXT, ordersCommandSchemas);

const dispatch = (handlers: OrdersHandlers, command: OrdersCommandMessage, context: CommandContext) => {
  switch (command.type) {
    case 'ConfirmOrder':
      return handlers.confirmOrder(command.data, context);
    case 'RejectOrder':
      return handlers.rejectOrder(command.data, context);
    case 'CompleteCancellation':
      return handlers.completeCancellation(command.data, context);
    case 'RefuseCancellation':
      return handlers.refuseCancellation(command.data, context);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
};

/** When the placement saga's verdict on the order came, if the command was that verdict. */
const verdictOf = (command: OrdersCommandMessage, order: PlacedOrder) => {
  if (command.type === 'ConfirmOrder' && order.status === 'confirmed') return order.confirmedAt;
  if (command.type === 'RejectOrder' && order.status === 'rejected') return order.rejectedAt;
  return undefined;
};

/**
 * A saga's commands to orders. Idempotency comes from the command id: a repeated one
 * appends nothing (the order remembers it), as does one already decided the same way.
 * A command the order refuses (confirming a rejected order) throws: it cannot happen in
 * the placement flow, and retrying cannot change it, so it is parked at once for an operator.
 */
const commandConsumer = ({ handlers, clock, logger, settles }: OrdersConsumersPorts): ConsumerDefinition =>
  consumer<OrdersCommandMessage>({
    groupId: 'orders-commands',
    topics: [ORDERS_COMMANDS_TOPIC],
    concurrentSequences: COMMAND_SEQUENCES_AT_ONCE,
    parse: parseOrdersCommand,
    permanent: (error) => error instanceof OrderRuleBroken,
    handle: async ({ value: command }) => {
      const { order, revision } = await dispatch(handlers, command, { ...commandMetadataOf(command), now: clock().toISOString() });
      const settledAt = verdictOf(command, order);
      if (settledAt) settles?.settled(new Date(order.placedAt), new Date(settledAt));
      logger.info(
        { orderId: order.orderId, command: command.type, commandId: command.commandId, status: order.status, revision: String(revision) },
        'order command handled',
      );
    },
  });

export interface OrdersConsumersPorts {
  handlers: OrdersHandlers;
  prices: SqlPriceTable;
  clock: () => Date;
  logger: Logger;
  /** Where an order's verdict (confirmed or rejected) reports how long after it was placed it came. */
  settles?: SettleDelays;
}

/** Catalog's prices into orders' price table, shipping's dispatches into shipped orders, and the saga's commands. */
export const ordersConsumers = (ports: OrdersConsumersPorts): ConsumerDefinition[] => [priceFeed(ports.prices), shippingFeed(ports), commandConsumer(ports)];
