import { rowProjection } from '@ordo/projections';
import { ORDERS_EVENTS_TOPIC } from '@ordo/orders-contract';
import { PAYMENTS_EVENTS_TOPIC } from '@ordo/payments-contract';
import { SHIPPING_EVENTS_TOPIC } from '@ordo/shipping-contract';
import { evolveOrderRow, ORDER_SOURCES, orderKeyOf, type OrderRow } from './order-row';
import { ORDERS_TABLE } from './queries';

/**
 * The orders view: one row per order, from the orders, payments and shipping topics. The
 * indexes serve the list's filters, each in the list's order (placed_at, order_id).
 */
export const ordersViewProjection = rowProjection<OrderRow>({
  name: 'orders-view',
  version: 1,
  topics: [ORDERS_EVENTS_TOPIC, PAYMENTS_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC],
  table: ORDERS_TABLE,
  key: 'order_id',
  columns: (table) => {
    table.text('status');
    table.text('owner');
    table.text('customer_id');
    table.jsonb('lines');
    table.bigInteger('total_cents');
    table.text('reason');
    table.jsonb('cancellation');
    table.timestamp('placed_at', { useTz: true });
    table.timestamp('confirmed_at', { useTz: true });
    table.timestamp('rejected_at', { useTz: true });
    table.timestamp('shipped_at', { useTz: true });
    table.timestamp('cancelled_at', { useTz: true });
    table.text('payment_status');
    table.text('payment_reason');
    table.text('shipment_status');
    table.text('shipment_id');
    table.text('shipment_reason');
    table.index(['placed_at', 'order_id']);
    table.index(['status', 'placed_at', 'order_id']);
    table.index(['customer_id', 'placed_at', 'order_id']);
    table.index(['owner', 'placed_at', 'order_id']);
    // `lines @> '[{"sku": ...}]'`: the sku filter.
    table.index(['lines'], undefined, { indexType: 'gin' });
  },
  sources: ORDER_SOURCES,
  keyOf: orderKeyOf,
  evolve: evolveOrderRow,
});
