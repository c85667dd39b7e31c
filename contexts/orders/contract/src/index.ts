// Orders' published language: the commands it takes on the bus and the events it
// records. Readers are tolerant (docs/architecture.md): event schemas are plain `z.object`s, so a
// field added by a later version passes through an older reader.
import { z } from 'zod';
import { commandEndpoint, type CommandMessage } from '@ordo/messaging';

export const CONTEXT = 'orders';

/** Where commands for orders travel, keyed by order id. */
export const ORDERS_COMMANDS_TOPIC = 'ordo.orders.commands';
/** Where orders' events are published, keyed by stream. */
export const ORDERS_EVENTS_TOPIC = 'ordo.orders.events';

export const Sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,39}$/, 'expected a sku: 1 to 40 of A-Z, 0-9 and -, not starting with -');
export type Sku = z.infer<typeof Sku>;

/** Orders are named by uuids: a random one, or one derived from the client's Idempotency-Key. */
export const OrderId = z.uuid();
const At = z.string().min(1);

/** One stream per order: `order-<orderId>`; also the stream of its ETag. */
export const orderStream = (orderId: string): string => `order-${orderId}`;

/** Every stream orders' store holds: the store refuses others, and its relay reads only these. */
export const ORDERS_STREAM_PREFIXES = ['order-'];

export const OrderStatus = z.enum(['pending', 'confirmed', 'rejected', 'shipped', 'cancelled']);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** A line as placed: priced from orders' own copy of catalog's prices at that moment. Money is integer cents. */
export const OrderLine = z.object({ sku: Sku, quantity: z.number().int().positive(), unitPriceCents: z.number().int().nonnegative() });
export type OrderLine = z.infer<typeof OrderLine>;

// ---- commands ----------------------------------------------------------------------

export const ConfirmOrder = z.object({ orderId: OrderId });
export type ConfirmOrder = z.infer<typeof ConfirmOrder>;

export const RejectOrder = z.object({ orderId: OrderId, reason: z.string().min(1) });
export type RejectOrder = z.infer<typeof RejectOrder>;

/** The cancellation saga's last step: the order's stock, payment and shipment are undone, the order ends cancelled. */
export const CompleteCancellation = z.object({ orderId: OrderId });
export type CompleteCancellation = z.infer<typeof CompleteCancellation>;

/** The cancellation saga could not undo the order (its shipment left the warehouse): the order goes on as it was. */
export const RefuseCancellation = z.object({ orderId: OrderId, reason: z.string().min(1) });
export type RefuseCancellation = z.infer<typeof RefuseCancellation>;

/** The commands other services send on `ordo.orders.commands`, as a saga issues them (PlaceOrder and CancelOrder arrive over HTTP only). */
export type ConfirmOrderMessage = CommandMessage<'ConfirmOrder', ConfirmOrder>;
export type RejectOrderMessage = CommandMessage<'RejectOrder', RejectOrder>;
export type CompleteCancellationMessage = CommandMessage<'CompleteCancellation', CompleteCancellation>;
export type RefuseCancellationMessage = CommandMessage<'RefuseCancellation', RefuseCancellation>;
export type OrdersCommandMessage = ConfirmOrderMessage | RejectOrderMessage | CompleteCancellationMessage | RefuseCancellationMessage;

/** The data schema of each command the topic carries. */
export const ordersCommandSchemas = {
  ConfirmOrder,
  RejectOrder,
  CompleteCancellation,
  RefuseCancellation,
} as const satisfies Record<OrdersCommandMessage['type'], z.ZodType>;

// ---- events ------------------------------------------------------------------------

/** Where an order ships: the customer's address when the order was placed (orders' copy, in orders' own words). */
export const ShipTo = z.object({
  line1: z.string().min(1),
  line2: z.string().min(1).optional(),
  city: z.string().min(1),
  postalCode: z.string().min(1),
  country: z.string().min(1),
});
export type ShipTo = z.infer<typeof ShipTo>;

/**
 * A payment provider's opaque card token (payments-contract's AuthorizePayment.cardToken):
 * orders only carries it to the saga that authorizes the payment.
 */
export const CardToken = z.string().min(1).max(200);

/**
 * `owner` is who placed the order: a caller's token subject, or `address:<ip>` for an
 * anonymous caller. Optional: an order placed before owners were recorded has none, and
 * only viewers and above may read it.
 */
export const OrderPlaced = z.object({
  orderId: OrderId,
  owner: z.string().min(1).optional(),
  /** The customer checked with customers when the order was placed, and where it ships; absent on orders placed before. */
  customerId: z.uuid().optional(),
  shipTo: ShipTo.optional(),
  /** The card to authorize the payment with, when the caller gave one; the saga's version 1 does not read it. */
  cardToken: CardToken.optional(),
  lines: z.array(OrderLine).min(1),
  totalCents: z.number().int().nonnegative(),
  at: At,
});
export type OrderPlaced = z.infer<typeof OrderPlaced>;

export const OrderConfirmed = z.object({ orderId: OrderId, at: At });
export type OrderConfirmed = z.infer<typeof OrderConfirmed>;

/** `reason` says why, e.g. the stock reservation's reason that made the saga give up. */
export const OrderRejected = z.object({ orderId: OrderId, reason: z.string().min(1), at: At });
export type OrderRejected = z.infer<typeof OrderRejected>;

/** The order's shipment left the warehouse (shipping's ShipmentDispatched): only a confirmed order becomes shipped. */
export const OrderShipped = z.object({ orderId: OrderId, shipmentId: z.string().min(1), at: At });
export type OrderShipped = z.infer<typeof OrderShipped>;

/**
 * The order's owner or an operator asked to cancel it (`by`: the caller's scope), while it
 * was pending or confirmed. Before the pivot, the placement saga (version 2) compensates on it.
 */
export const OrderCancellationRequested = z.object({ orderId: OrderId, reason: z.string().min(1), by: z.string().min(1).optional(), at: At });
export type OrderCancellationRequested = z.infer<typeof OrderCancellationRequested>;

/**
 * A confirmed order is to be undone: asked once it was confirmed, or asked before and the
 * order confirmed since. It starts the cancellation saga, which reads the lines to release.
 */
export const OrderCancellationStarted = z.object({
  orderId: OrderId,
  reason: z.string().min(1),
  lines: z.array(z.object({ sku: Sku, quantity: z.number().int().positive() })).min(1),
  at: At,
});
export type OrderCancellationStarted = z.infer<typeof OrderCancellationStarted>;

/** The order was called off at its owner's or an operator's request; `reason` is the request's. It holds no stock and no money. */
export const OrderCancelled = z.object({ orderId: OrderId, reason: z.string().min(1), at: At });
export type OrderCancelled = z.infer<typeof OrderCancelled>;

/** The cancellation could not be carried out (the shipment had left): the order goes on, confirmed or shipped. */
export const OrderCancellationRefused = z.object({ orderId: OrderId, reason: z.string().min(1), at: At });
export type OrderCancellationRefused = z.infer<typeof OrderCancellationRefused>;

export type OrderEvent =
  | { type: 'OrderPlaced'; data: OrderPlaced }
  | { type: 'OrderConfirmed'; data: OrderConfirmed }
  | { type: 'OrderRejected'; data: OrderRejected }
  | { type: 'OrderShipped'; data: OrderShipped }
  | { type: 'OrderCancellationRequested'; data: OrderCancellationRequested }
  | { type: 'OrderCancellationStarted'; data: OrderCancellationStarted }
  | { type: 'OrderCancelled'; data: OrderCancelled }
  | { type: 'OrderCancellationRefused'; data: OrderCancellationRefused };

export const ordersEventTypes = [
  'OrderPlaced',
  'OrderConfirmed',
  'OrderRejected',
  'OrderShipped',
  'OrderCancellationRequested',
  'OrderCancellationStarted',
  'OrderCancelled',
  'OrderCancellationRefused',
] as const satisfies readonly OrderEvent['type'][];

/**
 * The store's schema registry (an `EventSchemaRegistry` of @ordo/eventstore): appends are
 * validated against it and stamped with the version; reads are upcast by it.
 */
export const ordersEventSchemas = {
  OrderPlaced: { version: 1, schema: OrderPlaced },
  OrderConfirmed: { version: 1, schema: OrderConfirmed },
  OrderRejected: { version: 1, schema: OrderRejected },
  OrderShipped: { version: 1, schema: OrderShipped },
  OrderCancellationRequested: { version: 1, schema: OrderCancellationRequested },
  OrderCancellationStarted: { version: 1, schema: OrderCancellationStarted },
  OrderCancelled: { version: 1, schema: OrderCancelled },
  OrderCancellationRefused: { version: 1, schema: OrderCancellationRefused },
} as const satisfies Record<OrderEvent['type'], { version: number; schema: z.ZodType }>;

// ---- endpoints: the commands a saga sends, and the replies that answer them ----------

export const ConfirmOrderEndpoint = commandEndpoint(CONTEXT, { ConfirmOrder }, { aggregateId: ({ orderId }) => orderId, success: { OrderConfirmed } });

/** An order whose cancellation was asked for ends cancelled, not rejected: OrderCancelled answers then. */
export const RejectOrderEndpoint = commandEndpoint(
  CONTEXT,
  { RejectOrder },
  { aggregateId: ({ orderId }) => orderId, success: { OrderRejected, OrderCancelled } },
);

export const CompleteCancellationEndpoint = commandEndpoint(
  CONTEXT,
  { CompleteCancellation },
  { aggregateId: ({ orderId }) => orderId, success: { OrderCancelled } },
);

export const RefuseCancellationEndpoint = commandEndpoint(
  CONTEXT,
  { RefuseCancellation },
  { aggregateId: ({ orderId }) => orderId, success: { OrderCancellationRefused } },
);
