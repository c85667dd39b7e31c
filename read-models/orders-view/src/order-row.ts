import type { ProjectedEvent } from '@ordo/projections';
import type { OrderEvent, OrderLine, OrderStatus } from '@ordo/orders-contract';
import type { PaymentsEvent } from '@ordo/payments-contract';
import type { ShippingEvent } from '@ordo/shipping-contract';

// One row per order, folded from three sources: the order's own stream (`order-<id>`), its
// payment (`payment-<id>`) and its shipment (`shipment-<id>`). Each source sets only its own
// columns, as its aggregate's evolve would, so the row does not depend on which topic's
// events arrive first. An event type a source adds later changes nothing here.

export type PaymentStatus = 'authorized' | 'declined' | 'voided' | 'captured' | 'capture-failed' | 'refunded';
export type ShipmentStatus = 'scheduled' | 'refused' | 'cancelled' | 'dispatched';

export interface OrderRow {
  [column: string]: unknown;
  order_id: string;
  // ---- source orders: null until its OrderPlaced is applied
  status: OrderStatus | null;
  owner: string | null;
  customer_id: string | null;
  lines: OrderLine[] | null;
  total_cents: number | null;
  /** Why it was rejected or cancelled. */
  reason: string | null;
  /** A cancellation asked for and still under way. */
  cancellation: { reason: string; requestedAt: string } | null;
  placed_at: Date | string | null;
  confirmed_at: Date | string | null;
  rejected_at: Date | string | null;
  shipped_at: Date | string | null;
  cancelled_at: Date | string | null;
  // ---- source payments
  payment_status: PaymentStatus | null;
  /** Why it was declined, or why its capture failed. */
  payment_reason: string | null;
  // ---- source shipping
  shipment_status: ShipmentStatus | null;
  shipment_id: string | null;
  /** Why it was refused or cancelled. */
  shipment_reason: string | null;
}

export const ORDER_COLUMNS = [
  'status',
  'owner',
  'customer_id',
  'lines',
  'total_cents',
  'reason',
  'cancellation',
  'placed_at',
  'confirmed_at',
  'rejected_at',
  'shipped_at',
  'cancelled_at',
] as const;
export const PAYMENT_COLUMNS = ['payment_status', 'payment_reason'] as const;
export const SHIPMENT_COLUMNS = ['shipment_status', 'shipment_id', 'shipment_reason'] as const;

export const ORDER_SOURCES = {
  orders: { prefix: 'order-', columns: ORDER_COLUMNS },
  payments: { prefix: 'payment-', columns: PAYMENT_COLUMNS },
  shipping: { prefix: 'shipment-', columns: SHIPMENT_COLUMNS },
} as const;
export type OrderSource = keyof typeof ORDER_SOURCES;

/** The order an event concerns: every event of the three sources names it. */
export const orderKeyOf = (event: ProjectedEvent): string | undefined => {
  const orderId = (event.data as { orderId?: unknown } | null)?.orderId;
  return typeof orderId === 'string' ? orderId : undefined;
};

type Change = Partial<OrderRow>;
const as = <E>(event: ProjectedEvent) => ({ type: event.type, data: event.data }) as E;

/** The order's own columns after one of its events, guarded on the status as orders' evolve is. */
export const evolveOrder = (row: OrderRow | null, event: ProjectedEvent): Change => {
  const status = row?.status ?? null;
  const typed = as<OrderEvent>(event);
  switch (typed.type) {
    case 'OrderPlaced': {
      const { owner, customerId, lines, totalCents, at } = typed.data;
      if (status !== null) return {};
      return { status: 'pending', owner: owner ?? null, customer_id: customerId ?? null, lines, total_cents: totalCents, placed_at: at };
    }
    case 'OrderConfirmed':
      return status === 'pending' ? { status: 'confirmed', confirmed_at: typed.data.at } : {};
    case 'OrderRejected':
      return status === 'pending' ? { status: 'rejected', reason: typed.data.reason, rejected_at: typed.data.at } : {};
    case 'OrderShipped':
      return status === 'confirmed' ? { status: 'shipped', shipped_at: typed.data.at } : {};
    case 'OrderCancellationRequested':
      return status === 'pending' || status === 'confirmed' ? { cancellation: { reason: typed.data.reason, requestedAt: typed.data.at } } : {};
    case 'OrderCancellationStarted':
      return {}; // the request it follows is recorded already
    case 'OrderCancelled':
      return status === 'pending' || status === 'confirmed'
        ? { status: 'cancelled', reason: typed.data.reason, cancelled_at: typed.data.at, cancellation: null }
        : {};
    case 'OrderCancellationRefused':
      return status === 'confirmed' || status === 'shipped' ? { cancellation: null } : {};
    default:
      return {}; // a type a later version of orders records: a tolerant reader skips it
  }
};

/** The payment's columns after one of its events, guarded as payments' evolve is. */
export const evolvePayment = (row: OrderRow | null, event: ProjectedEvent): Change => {
  const status = row?.payment_status ?? null;
  const holding = status === 'authorized' || status === 'capture-failed';
  const typed = as<PaymentsEvent>(event);
  switch (typed.type) {
    case 'PaymentAuthorized':
      return status === null ? { payment_status: 'authorized' } : {};
    case 'PaymentDeclined':
      return status === null ? { payment_status: 'declined', payment_reason: typed.data.reason } : {};
    case 'PaymentVoided':
      return status === null || holding ? { payment_status: 'voided', payment_reason: null } : {};
    case 'PaymentCaptured':
      return holding ? { payment_status: 'captured', payment_reason: null } : {};
    case 'PaymentCaptureFailed':
      return holding ? { payment_status: 'capture-failed', payment_reason: typed.data.reason } : {};
    case 'PaymentRefunded':
      return status === 'captured' ? { payment_status: 'refunded', payment_reason: typed.data.reason } : {};
    case 'PaymentVoidRejected':
    case 'PaymentRefundRejected':
      return {};
    default:
      return {};
  }
};

/** The shipment's columns after one of its events, guarded as shipping's evolve is. */
export const evolveShipment = (row: OrderRow | null, event: ProjectedEvent): Change => {
  const status = row?.shipment_status ?? null;
  const typed = as<ShippingEvent>(event);
  switch (typed.type) {
    case 'ShipmentScheduled':
      return status === null || status === 'refused' ? { shipment_status: 'scheduled', shipment_id: typed.data.shipmentId, shipment_reason: null } : {};
    case 'ShipmentRefused':
      return status === null || status === 'refused' ? { shipment_status: 'refused', shipment_reason: typed.data.reason } : {};
    case 'ShipmentCancelled':
      return status === 'cancelled' || status === 'dispatched' ? {} : { shipment_status: 'cancelled', shipment_reason: typed.data.reason };
    case 'ShipmentDispatched':
      return status === 'scheduled' ? { shipment_status: 'dispatched' } : {};
    case 'ShipmentCancellationRefused':
      return {};
    default:
      return {};
  }
};

const evolvers: Record<OrderSource, (row: OrderRow | null, event: ProjectedEvent) => Change> = {
  orders: evolveOrder,
  payments: evolvePayment,
  shipping: evolveShipment,
};

/** The source's own columns after the event. */
export const evolveOrderRow = (row: OrderRow | null, event: ProjectedEvent, source: string): Change => evolvers[source as OrderSource]?.(row, event) ?? {};
