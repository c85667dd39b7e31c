import { consumer, defineService } from '@ordo/host';
import { readAfterConfigShape } from '@ordo/http';
import { projectionConsumer } from '@ordo/projections';
import { loadConfig } from '@ordo/runtime';
import { ordersViewRoutes } from './http';
import { ordersViewProjection } from './projection';
import { ordersQueries } from './queries';

/**
 * The orders view as a service: no event store of its own; its projection consumes the
 * orders, payments and shipping topics into its table, and its routes read that table.
 */
export const ordersViewService = defineService({
  name: ordersViewProjection.name,
  api: { title: 'Orders view', version: '1.0.0', description: 'Orders with their payment and shipment, filtered and paged; Read-After for read-your-writes' },
  takesCommands: false,
  create: ({ sql, schema, logger, metrics, anonymousCustomers }) => {
    const config = loadConfig(ordersViewProjection.name, readAfterConfigShape);
    return {
      routes: ordersViewRoutes({ queries: ordersQueries(sql, schema), anonymousCustomers, readAfterTimeoutMs: config.READ_AFTER_TIMEOUT_MS }),
      consumers: [consumer(projectionConsumer(ordersViewProjection, { sql, schema, logger, metrics }))],
    };
  },
});
