// Shipping's published language: the commands it takes, the events it records and the
// view it answers with. Readers are tolerant (docs/architecture.md): event schemas are plain
// `z.object`s, so a field added by a later version passes through an older reader.
// The saga schedules and cancels shipments; inventory and orders read ShipmentDispatched.
import { z } from 'zod';
import { commandEndpoint, type CommandMessage } from '@ordo/messaging';

export const CONTEXT = 'shipping';

/** Where commands for shipping travel, keyed by order id. */
export const SHIPPING_COMMANDS_TOPIC = 'ordo.shipping.commands';
/** Where shipping's events are published, keyed by stream. */
export const SHIPPING_EVENTS_TOPIC = 'ordo.shipping.events';

/** Orders' ids (orders-contract's OrderId): a shipment is the order's. */
export const OrderId = z.uuid();
export type OrderId = z.infer<typeof OrderId>;

export const Sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,39}$/, 'expected a sku: 1 to 40 of A-Z, 0-9 and -, not starting with -');

export const ShipmentLine = z.object({ sku: Sku, quantity: z.number().int().positive() });
export type ShipmentLine = z.infer<typeof ShipmentLine>;

/**
 * Where a shipment goes. `country` is an ISO 3166-1 alpha-2 code; one shipping does not
 * serve is refused by an answer (ShipmentRefused), not by the schema, since the saga
 * waits for an answer.
 */
export const Address = z.object({
  line1: z.string().min(1),
  line2: z.string().optional(),
  city: z.string().min(1),
  postalCode: z.string().min(1),
  country: z.string().min(1),
});
export type Address = z.infer<typeof Address>;

const At = z.string().min(1);
const Reason = z.string().min(1);

/** One shipment per order: `shipment-<orderId>`; also the stream of its ETag. */
export const shipmentStream = (orderId: string): string => `shipment-${orderId}`;

/** Every stream shipping's store holds: the store refuses others, and its relay reads only these. */
export const SHIPPING_STREAM_PREFIXES = ['shipment-'];

// ---- commands ----------------------------------------------------------------------

export const ScheduleShipment = z.object({ orderId: OrderId, address: Address, lines: z.array(ShipmentLine).min(1) });
export type ScheduleShipment = z.infer<typeof ScheduleShipment>;

export const CancelShipment = z.object({ orderId: OrderId, reason: Reason });
export type CancelShipment = z.infer<typeof CancelShipment>;

/** From the warehouse, over HTTP only. */
export const DispatchShipment = z.object({ orderId: OrderId, carrier: z.string().min(1).optional(), trackingNumber: z.string().min(1).optional() });
export type DispatchShipment = z.infer<typeof DispatchShipment>;

/** The commands other services send on `ordo.shipping.commands`, as a saga issues them. */
export type ScheduleShipmentMessage = CommandMessage<'ScheduleShipment', ScheduleShipment>;
export type CancelShipmentMessage = CommandMessage<'CancelShipment', CancelShipment>;
export type ShippingCommandMessage = ScheduleShipmentMessage | CancelShipmentMessage;

/** The data schema of each command the topic carries (DispatchShipment arrives over HTTP only). */
export const shippingCommandSchemas = {
  ScheduleShipment,
  CancelShipment,
} as const satisfies Record<ShippingCommandMessage['type'], z.ZodType>;

// ---- events ------------------------------------------------------------------------

/** Also the answer to a ScheduleShipment for a shipment scheduled already: what stands, again. */
export const ShipmentScheduled = z.object({ orderId: OrderId, shipmentId: z.string().min(1), address: Address, lines: z.array(ShipmentLine), at: At });
export type ShipmentScheduled = z.infer<typeof ShipmentScheduled>;

/** A ScheduleShipment refused (a country not served, a shipment cancelled before): an answer, not an error. */
export const ShipmentRefused = z.object({ orderId: OrderId, reason: Reason, at: At });
export type ShipmentRefused = z.infer<typeof ShipmentRefused>;

/**
 * Every CancelShipment before dispatch is answered with this. `wasScheduled` is false when
 * there was nothing to cancel (never scheduled, refused, or cancelled already): the
 * shipment is then cancelled all the same, so a ScheduleShipment arriving later is refused.
 */
export const ShipmentCancelled = z.object({
  orderId: OrderId,
  shipmentId: z.string().min(1).optional(),
  reason: Reason,
  wasScheduled: z.boolean(),
  at: At,
});
export type ShipmentCancelled = z.infer<typeof ShipmentCancelled>;

/** A CancelShipment once the shipment left the warehouse: an answer, not an error. */
export const ShipmentCancellationRefused = z.object({ orderId: OrderId, shipmentId: z.string().min(1), reason: Reason, at: At });
export type ShipmentCancellationRefused = z.infer<typeof ShipmentCancellationRefused>;

/** The shipment left: inventory commits each line's reserved stock, orders marks the order shipped. */
export const ShipmentDispatched = z.object({
  orderId: OrderId,
  shipmentId: z.string().min(1),
  lines: z.array(ShipmentLine),
  carrier: z.string().min(1).optional(),
  trackingNumber: z.string().min(1).optional(),
  at: At,
});
export type ShipmentDispatched = z.infer<typeof ShipmentDispatched>;

export type ShippingEvent =
  | { type: 'ShipmentScheduled'; data: ShipmentScheduled }
  | { type: 'ShipmentRefused'; data: ShipmentRefused }
  | { type: 'ShipmentCancelled'; data: ShipmentCancelled }
  | { type: 'ShipmentCancellationRefused'; data: ShipmentCancellationRefused }
  | { type: 'ShipmentDispatched'; data: ShipmentDispatched };

export const shippingEventTypes = [
  'ShipmentScheduled',
  'ShipmentRefused',
  'ShipmentCancelled',
  'ShipmentCancellationRefused',
  'ShipmentDispatched',
] as const satisfies readonly ShippingEvent['type'][];

/**
 * The store's schema registry (an `EventSchemaRegistry` of @ordo/eventstore): appends are
 * validated against it and stamped with the version; reads are upcast by it.
 */
export const shippingEventSchemas = {
  ShipmentScheduled: { version: 1, schema: ShipmentScheduled },
  ShipmentRefused: { version: 1, schema: ShipmentRefused },
  ShipmentCancelled: { version: 1, schema: ShipmentCancelled },
  ShipmentCancellationRefused: { version: 1, schema: ShipmentCancellationRefused },
  ShipmentDispatched: { version: 1, schema: ShipmentDispatched },
} as const satisfies Record<ShippingEvent['type'], { version: number; schema: z.ZodType }>;

// ---- endpoints: the commands a saga sends, and the replies that answer them ----------

export const ScheduleShipmentEndpoint = commandEndpoint(
  CONTEXT,
  { ScheduleShipment },
  { aggregateId: ({ orderId }) => orderId, success: { ShipmentScheduled }, failure: { ShipmentRefused } },
);

/** Answered with ShipmentCancelled before dispatch, scheduled or not; refused once the shipment left. */
export const CancelShipmentEndpoint = commandEndpoint(
  CONTEXT,
  { CancelShipment },
  { aggregateId: ({ orderId }) => orderId, success: { ShipmentCancelled }, failure: { ShipmentCancellationRefused } },
);

// ---- HTTP views --------------------------------------------------------------------

export const ShipmentStatus = z.enum(['scheduled', 'refused', 'cancelled', 'dispatched']);
export type ShipmentStatus = z.infer<typeof ShipmentStatus>;

/** `GET /v1/shipments/:orderId`, and the answer to a dispatch. Fields a status does not have are left out. */
export const ShipmentView = z.object({
  orderId: OrderId,
  status: ShipmentStatus,
  /** Absent when it was never scheduled (refused, or cancelled before). */
  shipmentId: z.string().optional(),
  address: Address.optional(),
  lines: z.array(ShipmentLine).optional(),
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  /** Why it was refused, or cancelled. */
  reason: z.string().optional(),
  /** When it reached its status. */
  updatedAt: z.string(),
});
export type ShipmentView = z.infer<typeof ShipmentView>;
