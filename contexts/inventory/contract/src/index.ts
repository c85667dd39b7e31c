// Inventory's published language: the commands it takes and the events it records.
// Readers are tolerant (docs/architecture.md): event schemas are plain `z.object`s, so a field
// added by a later version passes through an older reader.
import { z } from 'zod';
import { commandEndpoint, type CommandMessage } from '@ordo/messaging';

export const CONTEXT = 'inventory';

/** Where commands for inventory travel, keyed by sku. */
export const INVENTORY_COMMANDS_TOPIC = 'ordo.inventory.commands';
/** Where inventory's events are published, keyed by stream. */
export const INVENTORY_EVENTS_TOPIC = 'ordo.inventory.events';

export const Sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,39}$/, 'expected a sku: 1 to 40 of A-Z, 0-9 and -, not starting with -');
export type Sku = z.infer<typeof Sku>;

const OrderId = z.string().min(1).max(100);
const Quantity = z.number().int().positive();
const At = z.string().min(1);

/** One stream per sku: `stock-<sku>`. */
export const stockStream = (sku: string): string => `stock-${sku}`;

/** Every stream inventory's store holds: the store refuses others, and its relay reads only these. */
export const INVENTORY_STREAM_PREFIXES = ['stock-'];

// ---- commands ----------------------------------------------------------------------

export const AddStock = z.object({ sku: Sku, quantity: Quantity });
export type AddStock = z.infer<typeof AddStock>;

export const ReserveStock = z.object({ sku: Sku, orderId: OrderId, quantity: Quantity });
export type ReserveStock = z.infer<typeof ReserveStock>;

export const ReleaseStock = z.object({ sku: Sku, orderId: OrderId });
export type ReleaseStock = z.infer<typeof ReleaseStock>;

/**
 * Commits what an order holds of a sku: its shipment left the warehouse. Inventory takes
 * it from shipping's ShipmentDispatched (one a line), never from its command topic.
 */
export const CommitStock = z.object({ sku: Sku, orderId: OrderId });
export type CommitStock = z.infer<typeof CommitStock>;

/** The commands other services send on `ordo.inventory.commands`, as a saga issues them. */
export type ReserveStockMessage = CommandMessage<'ReserveStock', ReserveStock>;
export type ReleaseStockMessage = CommandMessage<'ReleaseStock', ReleaseStock>;
export type InventoryCommandMessage = ReserveStockMessage | ReleaseStockMessage;

/** The data schema of each command the topic carries (AddStock arrives over HTTP only). */
export const inventoryCommandSchemas = {
  ReserveStock,
  ReleaseStock,
} as const satisfies Record<InventoryCommandMessage['type'], z.ZodType>;

// ---- events ------------------------------------------------------------------------

export const StockAdded = z.object({ sku: Sku, quantity: Quantity, at: At });
export type StockAdded = z.infer<typeof StockAdded>;

export const StockReserved = z.object({ sku: Sku, orderId: OrderId, quantity: Quantity, at: At });
export type StockReserved = z.infer<typeof StockReserved>;

/** A refused reservation: an answer, not an error, since the sender waits for one. */
export const StockReservationRejected = z.object({
  sku: Sku,
  orderId: OrderId,
  /** What was requested. */
  quantity: z.number(),
  /** What was available when it was refused. */
  available: z.number().int().nonnegative(),
  /** Names the sku and the numbers, e.g. `insufficient stock for SKU-1: 3 available, 5 requested`. */
  reason: z.string().min(1),
  at: At,
});
export type StockReservationRejected = z.infer<typeof StockReservationRejected>;

/** `quantity` is 0 when the order held no reservation of this sku: the sender still gets its answer. */
export const StockReleased = z.object({ sku: Sku, orderId: OrderId, quantity: z.number().int().nonnegative(), at: At });
export type StockReleased = z.infer<typeof StockReleased>;

/** What the order held of the sku left the warehouse: reserved becomes dispatched. */
export const StockCommitted = z.object({ sku: Sku, orderId: OrderId, quantity: Quantity, at: At });
export type StockCommitted = z.infer<typeof StockCommitted>;

/**
 * A CommitStock for an order that holds nothing of the sku (never reserved, released, or
 * committed already): nothing moves, and the shipment that left without a reservation is
 * on record for an operator.
 */
export const StockCommitRejected = z.object({ sku: Sku, orderId: OrderId, reason: z.string().min(1), at: At });
export type StockCommitRejected = z.infer<typeof StockCommitRejected>;

export type InventoryEvent =
  | { type: 'StockAdded'; data: StockAdded }
  | { type: 'StockReserved'; data: StockReserved }
  | { type: 'StockReservationRejected'; data: StockReservationRejected }
  | { type: 'StockReleased'; data: StockReleased }
  | { type: 'StockCommitted'; data: StockCommitted }
  | { type: 'StockCommitRejected'; data: StockCommitRejected };

export const inventoryEventTypes = [
  'StockAdded',
  'StockReserved',
  'StockReservationRejected',
  'StockReleased',
  'StockCommitted',
  'StockCommitRejected',
] as const satisfies readonly InventoryEvent['type'][];

/**
 * The store's schema registry (an `EventSchemaRegistry` of @ordo/eventstore): appends are
 * validated against it and stamped with the version; reads are upcast by it.
 */
export const inventoryEventSchemas = {
  StockAdded: { version: 1, schema: StockAdded },
  StockReserved: { version: 1, schema: StockReserved },
  StockReservationRejected: { version: 1, schema: StockReservationRejected },
  StockReleased: { version: 1, schema: StockReleased },
  StockCommitted: { version: 1, schema: StockCommitted },
  StockCommitRejected: { version: 1, schema: StockCommitRejected },
} as const satisfies Record<InventoryEvent['type'], { version: number; schema: z.ZodType }>;

// ---- endpoints: the commands a saga sends, and the replies that answer them ----------

export const ReserveStockEndpoint = commandEndpoint(
  CONTEXT,
  { ReserveStock },
  { aggregateId: ({ sku }) => sku, success: { StockReserved }, failure: { StockReservationRejected } },
);

/** Always answered with StockReleased (quantity 0 when the order held nothing), so a compensation never waits. */
export const ReleaseStockEndpoint = commandEndpoint(CONTEXT, { ReleaseStock }, { aggregateId: ({ sku }) => sku, success: { StockReleased } });
