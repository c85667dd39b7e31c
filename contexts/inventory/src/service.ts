import { defineService } from '@ordo/host';
import { CONTEXT, INVENTORY_STREAM_PREFIXES, inventoryEventSchemas } from '@ordo/inventory-contract';
import { inventoryHandlers } from './application/handlers';
import { sqlCatalogSkus } from './catalog-skus';
import { inventoryErrorMappings, inventoryRoutes } from './http';
import { inventoryConsumers } from './messaging';

/**
 * Inventory as a service (docs/architecture.md, "One shape for every context"): stock is
 * added over HTTP, for the skus its copy of catalog knows, and reserved and released by
 * the saga's commands on its topic.
 */
export const inventoryService = defineService({
  name: CONTEXT,
  api: { title: 'Inventory', version: '1.0.0', description: 'Stock per sku, reserved and released for orders' },
  store: { streamPrefixes: INVENTORY_STREAM_PREFIXES, registry: inventoryEventSchemas },
  takesCommands: true,
  create: ({ store, sql, schema, clock, logger }) => {
    const catalogSkus = sqlCatalogSkus(sql, schema);
    const handlers = inventoryHandlers({ store, catalog: catalogSkus });
    return {
      errorMappings: inventoryErrorMappings,
      routes: inventoryRoutes({ handlers, clock }),
      // The copy's table exists before the feed writes it and before a request asks it.
      migrate: () => catalogSkus.migrate(),
      consumers: inventoryConsumers({ handlers, catalogSkus, clock, logger }),
    };
  },
});
