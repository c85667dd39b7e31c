// orders-view as a spec runs it on Kafka: a projection named and fed by the spec's own
// topics, and the checks the specs make of its table.
import type pg from 'pg';
import { quoteIdentifier } from '@ordo/runtime';
import type { TestScope } from '@ordo/testing';
import { ordersViewProjection } from '../src/projection';
import { ORDER_CONTEXTS } from './order-lives';

/** The projection under the scope's name, reading the scope's topics for the three contexts. */
export const scopedOrdersView = (scope: TestScope) => ({
  ...ordersViewProjection,
  name: `orders-view-${scope.id.replace(/_/g, '-')}`,
  topics: ORDER_CONTEXTS.map((context) => scope.topic(context)),
});

/** The checks of the view's table in the scope's schema. */
export const ordersTable = (pool: () => pg.Pool, schema: string) => {
  const table = `${quoteIdentifier(schema)}.orders`;
  return {
    table,
    /** Orders whose five events have all been applied; 0 before the projector made its table. */
    completeOrders: async () => {
      const { rows } = await pool()
        .query<{ n: string }>(
          `select count(*)::text as n from ${table} where status = 'confirmed' and payment_status = 'captured' and shipment_status = 'scheduled'`,
        )
        .catch(() => ({ rows: [{ n: '0' }] }));
      return Number(rows[0]?.n);
    },
    /** Every row, in key order, as one md5. */
    checksum: async () => {
      const { rows } = await pool().query<{ sum: string }>(`select md5(string_agg(o::text, '|' order by order_id)) as sum from ${table} o`);
      return rows[0]?.sum;
    },
  };
};
