import { z } from 'zod';
import { keysetCursor } from '@ordo/http';
import { OrderStatus } from '@ordo/orders-contract';
import type { OrderCursor, StoredOrder } from './queries';

// What the orders view answers: the order as orders answered it, with its timestamps and
// its payment's and shipment's status beside it.

const Timestamp = z.string().describe('ISO 8601');

export const OrderView = z.object({
  orderId: z.uuid(),
  customerId: z.uuid().optional().describe('absent on orders placed before orders checked customers'),
  status: OrderStatus,
  reason: z.string().optional().describe('why the order was rejected or cancelled'),
  cancellation: z
    .object({ reason: z.string(), requestedAt: z.string() })
    .optional()
    .describe('a cancellation asked for and still under way: the order ends cancelled, or goes on if its shipment had left'),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
  totalCents: z.number().int(),
  placedAt: Timestamp,
  confirmedAt: Timestamp.optional(),
  rejectedAt: Timestamp.optional(),
  shippedAt: Timestamp.optional(),
  cancelledAt: Timestamp.optional(),
  payment: z
    .object({ status: z.enum(['authorized', 'declined', 'voided', 'captured', 'capture-failed', 'refunded']), reason: z.string().optional() })
    .optional()
    .describe('absent until payments has answered for the order'),
  shipment: z
    .object({ status: z.enum(['scheduled', 'refused', 'cancelled', 'dispatched']), shipmentId: z.string().optional(), reason: z.string().optional() })
    .optional()
    .describe('absent until shipping has answered for the order'),
});
export type OrderView = z.infer<typeof OrderView>;

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString());

/** A timestamp column, present only when set. */
const at = <K extends string>(key: K, value: unknown) => (value === null || value === undefined ? {} : ({ [key]: iso(value) } as Record<K, string>));

export const orderView = (row: StoredOrder): OrderView => ({
  orderId: row.order_id,
  ...(row.customer_id !== null && { customerId: row.customer_id }),
  status: row.status ?? 'pending',
  ...(row.reason !== null && { reason: row.reason }),
  ...(row.cancellation !== null && { cancellation: row.cancellation }),
  lines: row.lines ?? [],
  totalCents: Number(row.total_cents),
  placedAt: iso(row.placed_at),
  ...at('confirmedAt', row.confirmed_at),
  ...at('rejectedAt', row.rejected_at),
  ...at('shippedAt', row.shipped_at),
  ...at('cancelledAt', row.cancelled_at),
  ...(row.payment_status !== null && { payment: { status: row.payment_status, ...(row.payment_reason !== null && { reason: row.payment_reason }) } }),
  ...(row.shipment_status !== null && {
    shipment: {
      status: row.shipment_status,
      ...(row.shipment_id !== null && { shipmentId: row.shipment_id }),
      ...(row.shipment_reason !== null && { reason: row.shipment_reason }),
    },
  }),
});

// ---- cursors: opaque to clients, the last order of a page -----------------------------

const cursor = keysetCursor(z.tuple([z.iso.datetime(), z.uuid()]));

export const cursorAfter = (row: StoredOrder): string => cursor.write([iso(row.placed_at), row.order_id]);

export const readCursor = (text: string): OrderCursor => {
  const [placedAt, orderId] = cursor.read(text);
  return { placedAt, orderId };
};
