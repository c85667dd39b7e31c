// Shipping's ShipmentDispatched into inventory: what the order holds of each line's sku
// is committed (reserved becomes dispatched). No table is written, so no inbox: each
// line is a CommitStock whose id derives from the event and the sku, and the stock
// stream remembers the command ids it handled, so a redelivered event commits nothing twice.
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { publishedEventSchema, reactionCommandId, reactionContext, type ConsumedMessage } from '@ordo/messaging';
import type { Logger } from '@ordo/runtime';
import { SHIPPING_EVENTS_TOPIC, ShipmentDispatched } from '@ordo/shipping-contract';
import type { InventoryHandlers } from './application/handlers';

/** A dispatch as inventory commits it: the event that told of it, the order, and its skus (each once). */
export interface Dispatch {
  eventId: string;
  correlationId: string;
  orderId: string;
  skus: string[];
}

/**
 * A shipping event as a dispatch to commit; undefined for the event types inventory has
 * no use for. The contract's schemas are plain objects, so fields a later shipping adds
 * pass through; a ShipmentDispatched that does not match is refused, and parked.
 */
export const parseShippingEvent = (value: unknown): Dispatch | undefined => {
  const event = publishedEventSchema.parse(value);
  if (event.type !== 'ShipmentDispatched') return undefined;
  const { orderId, lines } = ShipmentDispatched.parse(event.data);
  // A commit takes all the order holds of a sku, so a sku on two lines is one commit.
  const skus = [...new Set(lines.map((line) => line.sku))];
  return { eventId: event.id, correlationId: event.metadata.correlationId, orderId, skus };
};

/** The same event and sku always make the same command id: how a redelivered event, or one handled again after a crash between lines, commits once. */
export const commitCommandIdFor = (eventId: string, sku: string): string => reactionCommandId(eventId, `CommitStock/${sku}`);

export interface DispatchFeedPorts {
  handlers: InventoryHandlers;
  clock: () => Date;
  logger: Logger;
}

/**
 * One CommitStock per line, one line after another: each sku is its own stream, so the
 * lines cannot commit together, and an event handled again finds the lines done before
 * as repeats. A commit is never refused by a throw (nothing held is StockCommitRejected),
 * so a throw here is the store failing, retried and then parked.
 */
export const commitDispatch =
  ({ handlers, clock, logger }: DispatchFeedPorts) =>
  async ({ value: dispatch }: ConsumedMessage<Dispatch | undefined>): Promise<void> => {
    if (!dispatch) return;
    const { eventId, correlationId, orderId } = dispatch;
    for (const sku of dispatch.skus) {
      const context = reactionContext({ eventId, correlationId }, `CommitStock/${sku}`, clock());
      const { commandId } = context;
      const handled = await handlers.commitStock({ sku, orderId }, context);
      logger.debug(
        { commandId, command: 'CommitStock', sku, orderId, answer: handled.events.map((event) => event.type), repeated: handled.repeated },
        'dispatched stock committed',
      );
    }
  };

export const dispatchFeed = (ports: DispatchFeedPorts): ConsumerDefinition =>
  consumer<Dispatch | undefined>({
    groupId: 'inventory-dispatch',
    topics: [SHIPPING_EVENTS_TOPIC],
    parse: parseShippingEvent,
    handle: commitDispatch(ports),
    logger: ports.logger,
  });
