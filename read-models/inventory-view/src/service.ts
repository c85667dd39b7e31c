import { consumer, defineService } from '@ordo/host';
import { readAfterConfigShape } from '@ordo/http';
import { projectionConsumer } from '@ordo/projections';
import { loadConfig } from '@ordo/runtime';
import { inventoryViewRoutes } from './http';
import { inventoryViewProjection } from './projection';
import { stockQueries } from './queries';

/**
 * The inventory view as a service: no event store of its own; its projection consumes the
 * inventory topic into its table, and its routes read that table.
 */
export const inventoryViewService = defineService({
  name: inventoryViewProjection.name,
  api: { title: 'Inventory view', version: '1.0.0', description: 'Stock per sku and which orders hold it; Read-After for read-your-writes' },
  takesCommands: false,
  create: ({ sql, schema, logger, metrics }) => {
    const config = loadConfig(inventoryViewProjection.name, readAfterConfigShape);
    return {
      routes: inventoryViewRoutes({ queries: stockQueries(sql, schema), readAfterTimeoutMs: config.READ_AFTER_TIMEOUT_MS }),
      consumers: [consumer(projectionConsumer(inventoryViewProjection, { sql, schema, logger, metrics }))],
    };
  },
});
