import { quoteIdentifier, type SqlClient } from '@ordo/runtime';
import type { OrderStatus } from '@ordo/orders-contract';
import type { OrderRow, OrderSource } from './order-row';

// The orders view's reads. A row that only payments or shipping wrote so far
// (orders_revision < 0) is not an order yet: no query returns it.

export const ORDERS_TABLE = 'orders';

export interface OrderFilter {
  status?: OrderStatus;
  customer?: string;
  sku?: string;
  placedFrom?: string;
  placedTo?: string;
  /** Only the orders this caller scope placed: what a customer may list. */
  owner?: string;
}

/** Where a page ends: the last order's placement time and id, the order the list is kept in. */
export interface OrderCursor {
  placedAt: string;
  orderId: string;
}

export type StoredOrder = OrderRow & { orders_revision: string | number | bigint };

export interface OrdersQueries {
  /** The order, or undefined when none (or only its payment or shipment) is known. */
  byId(orderId: string): Promise<StoredOrder | undefined>;
  /** A page, newest placed first; `limit + 1` rows are read so the caller knows whether more follow. */
  list(filter: OrderFilter, limit: number, after?: OrderCursor): Promise<StoredOrder[]>;
  /** The revision of a source's stream the row reflects: -1n before any. */
  appliedRevision(source: OrderSource, orderId: string): Promise<bigint>;
}

const revisionColumns: Record<OrderSource, string> = { orders: 'orders_revision', payments: 'payments_revision', shipping: 'shipping_revision' };

export const ordersQueries = (sql: SqlClient, schema: string): OrdersQueries => {
  const table = `${quoteIdentifier(schema)}.${quoteIdentifier(ORDERS_TABLE)}`;
  return {
    byId: async (orderId) => {
      const { rows } = await sql.query<StoredOrder>(`select * from ${table} where order_id = $1 and orders_revision >= 0`, [orderId]);
      return rows[0];
    },
    list: async (filter, limit, after) => {
      const where = ['orders_revision >= 0'];
      const params: unknown[] = [];
      const bind = (value: unknown) => `$${params.push(value)}`;
      if (filter.status) where.push(`status = ${bind(filter.status)}`);
      if (filter.customer) where.push(`customer_id = ${bind(filter.customer)}`);
      if (filter.owner !== undefined) where.push(`owner = ${bind(filter.owner)}`);
      // Containment uses the GIN index on lines.
      if (filter.sku) where.push(`lines @> ${bind(JSON.stringify([{ sku: filter.sku }]))}::jsonb`);
      if (filter.placedFrom) where.push(`placed_at >= ${bind(filter.placedFrom)}`);
      if (filter.placedTo) where.push(`placed_at < ${bind(filter.placedTo)}`);
      if (after) where.push(`(placed_at, order_id) < (${bind(after.placedAt)}, ${bind(after.orderId)})`);
      const { rows } = await sql.query<StoredOrder>(
        `select * from ${table} where ${where.join(' and ')} order by placed_at desc, order_id desc limit ${bind(limit + 1)}`,
        params,
      );
      return rows;
    },
    appliedRevision: async (source, orderId) => {
      const column = revisionColumns[source];
      const { rows } = await sql.query<{ revision: string | number }>(`select ${column} as revision from ${table} where order_id = $1`, [orderId]);
      return rows[0] ? BigInt(rows[0].revision) : -1n;
    },
  };
};
