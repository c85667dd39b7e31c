// Shipping's ShipmentDispatched into orders: the order is marked shipped. Its only effect
// is an append, made idempotent by a command id derived from the event's id (the order
// remembers the command ids it handled), so the feed needs no inbox.
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { publishedEventSchema, reactionCommandId, reactionContext, type ConsumedMessage } from '@ordo/messaging';
import type { Logger } from '@ordo/runtime';
import { SHIPPING_EVENTS_TOPIC, ShipmentDispatched } from '@ordo/shipping-contract';
import type { OrdersHandlers } from './application/handlers';
import { OrderNotFound, OrderRuleBroken } from './domain/errors';

/** A dispatch as orders records it: the event that told of it, the order and its shipment. */
export interface Dispatch {
  eventId: string;
  correlationId: string;
  orderId: string;
  shipmentId: string;
}

/**
 * A shipping event as a dispatch to record; undefined for the event types orders has no
 * use for. Fields a later shipping adds pass through; a ShipmentDispatched that does not
 * match the contract is refused, and parked.
 */
export const parseShippingEvent = (value: unknown): Dispatch | undefined => {
  const event = publishedEventSchema.parse(value);
  if (event.type !== 'ShipmentDispatched') return undefined;
  const { orderId, shipmentId } = ShipmentDispatched.parse(event.data);
  return { eventId: event.id, correlationId: event.metadata.correlationId, orderId, shipmentId };
};

/** The same event always makes the same command id: a redelivered dispatch marks the order once. */
export const markShippedCommandIdFor = (eventId: string): string => reactionCommandId(eventId, 'MarkShipped');

export interface ShippingFeedPorts {
  handlers: OrdersHandlers;
  clock: () => Date;
  logger: Logger;
}

export const markDispatchShipped =
  ({ handlers, clock, logger }: ShippingFeedPorts) =>
  async ({ value: dispatch }: ConsumedMessage<Dispatch | undefined>): Promise<void> => {
    if (!dispatch) return;
    const { eventId, correlationId, orderId, shipmentId } = dispatch;
    const context = reactionContext({ eventId, correlationId }, 'MarkShipped', clock());
    const { commandId } = context;
    const { order, revision } = await handlers.markShipped({ orderId, shipmentId }, context);
    logger.info({ orderId, command: 'MarkShipped', commandId, status: order.status, revision: String(revision) }, 'order dispatch recorded');
  };

/**
 * Parks at once what the order refuses: a dispatch of an order that was never placed, is
 * still pending or was rejected is something an operator must look at, and retrying will
 * not change it. It parks under its Kafka key, the shipment's stream (`shipment-<orderId>`),
 * which the operator redrives once the order is mended (a pending order confirmed).
 */
export const shippingFeed = (ports: ShippingFeedPorts): ConsumerDefinition =>
  consumer<Dispatch | undefined>({
    groupId: 'orders-shipping',
    topics: [SHIPPING_EVENTS_TOPIC],
    parse: parseShippingEvent,
    handle: markDispatchShipped(ports),
    permanent: (error) => error instanceof OrderRuleBroken || error instanceof OrderNotFound,
    logger: ports.logger,
  });
