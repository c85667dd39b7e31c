// The reference shop, as the composition root sees it: each module by name. Only this
// package imports services (DESIGN.md "Layout"); the name is also the module's schema.
import { catalogService } from '@ordo/catalog';
import type { ServiceFactory } from '@ordo/host';
import { inventoryService } from '@ordo/inventory';
import { orderPlacementService } from '@ordo/order-placement';
import { ordersService } from '@ordo/orders';

export const shopModules: Record<string, ServiceFactory> = {
  catalog: catalogService,
  inventory: inventoryService,
  orders: ordersService,
  sagas: orderPlacementService,
};

/** Local mode: where each service's standalone entry lives, and its port offset from the base port. */
export const shopProcesses = [
  { name: 'catalog', main: 'contexts/catalog/src/main.ts', portOffset: 1 },
  { name: 'inventory', main: 'contexts/inventory/src/main.ts', portOffset: 2 },
  { name: 'orders', main: 'contexts/orders/src/main.ts', portOffset: 3 },
  { name: 'sagas', main: 'sagas/order-placement/src/main.ts', portOffset: 4 },
] as const;
