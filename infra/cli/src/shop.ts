// The reference shop, as the composition root sees it: each module by name. Only this
// package imports services (docs/architecture.md "Layout"); the name is also the module's schema.
import { catalogService } from '@ordo/catalog';
import { CATALOG_STREAM_PREFIXES, catalogEventSchemas } from '@ordo/catalog-contract';
import type { EmbeddedOptions } from '@ordo/host';
import { inventoryService } from '@ordo/inventory';
import { INVENTORY_STREAM_PREFIXES, inventoryEventSchemas } from '@ordo/inventory-contract';
import { orderPlacementService, SAGAS_STREAM_PREFIXES } from '@ordo/order-placement';
import { ordersService } from '@ordo/orders';
import { ORDERS_STREAM_PREFIXES, ordersEventSchemas } from '@ordo/orders-contract';

// Each store holds only its own streams and checks appends against its contract's event
// schemas; the saga's events are the engine's own.
export const shopModules: EmbeddedOptions['modules'] = {
  catalog: { factory: catalogService, store: { streamPrefixes: CATALOG_STREAM_PREFIXES, registry: catalogEventSchemas } },
  inventory: { factory: inventoryService, store: { streamPrefixes: INVENTORY_STREAM_PREFIXES, registry: inventoryEventSchemas } },
  orders: { factory: ordersService, store: { streamPrefixes: ORDERS_STREAM_PREFIXES, registry: ordersEventSchemas } },
  sagas: { factory: orderPlacementService, store: { streamPrefixes: SAGAS_STREAM_PREFIXES } },
};

/** Local mode: where each service's standalone entry lives, and its port offset from the base port. */
export const shopProcesses = [
  { name: 'catalog', main: 'contexts/catalog/src/main.ts', portOffset: 1 },
  { name: 'inventory', main: 'contexts/inventory/src/main.ts', portOffset: 2 },
  { name: 'orders', main: 'contexts/orders/src/main.ts', portOffset: 3 },
  { name: 'sagas', main: 'sagas/order-placement/src/main.ts', portOffset: 4 },
] as const;
