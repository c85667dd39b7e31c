import type { ServiceFactory } from '@ordo/host';
import { CONTEXT, INVENTORY_COMMANDS_TOPIC } from '@ordo/inventory-contract';
import { inventoryHandlers } from './application/handlers';
import { startCatalogFeed } from './catalog-feed';
import { sqlCatalogSkus } from './catalog-skus';
import { errorMappings, inventoryRoutes } from './http';
import { inventoryCommandHandler, parseInventoryCommand } from './messaging';

/**
 * Inventory as a service (docs/architecture.md, "The three ways it runs"): stock is added over
 * HTTP, for the skus its copy of catalog knows, and reserved and released by commands
 * on its topic; the host supplies the ports.
 */
export const inventoryService: ServiceFactory = ({ store, bus, sql, schema, clock, logger }) => {
  const catalogSkus = sqlCatalogSkus(sql, schema);
  const handlers = inventoryHandlers(store, catalogSkus);
  return {
    name: CONTEXT,
    api: { title: 'Inventory', version: '1.0.0', description: 'Stock per sku, reserved and released for orders' },
    errorMappings,
    routes: inventoryRoutes(handlers, clock),
    publish: () => bus.publish(CONTEXT, store),
    start: async () => {
      // The copy's table exists before the feed writes it and before a request asks it.
      await catalogSkus.migrate();
      await startCatalogFeed(bus, catalogSkus);
      await bus.consume({
        groupId: 'inventory-commands',
        topics: [INVENTORY_COMMANDS_TOPIC],
        parse: parseInventoryCommand,
        handle: inventoryCommandHandler(handlers, clock, logger),
      });
    },
  };
};
