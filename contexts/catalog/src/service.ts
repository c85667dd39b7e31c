import { CATALOG_STREAM_PREFIXES, catalogEventSchemas, CONTEXT } from '@ordo/catalog-contract';
import { defineService } from '@ordo/host';
import { catalogHandlers } from './application/handlers';
import { catalogErrorMappings, catalogRoutes } from './http';

/**
 * Catalog as a service (docs/architecture.md, "One shape for every context"): products are
 * listed and priced over HTTP; its events reach orders' price table and inventory's copy
 * of its skus through the bus. It takes no commands on the bus and consumes nothing.
 */
export const catalogService = defineService({
  name: CONTEXT,
  api: { title: 'Catalog', version: '1.0.0', description: 'Products with sku, name and price' },
  store: { streamPrefixes: CATALOG_STREAM_PREFIXES, registry: catalogEventSchemas },
  takesCommands: false,
  create: ({ store, clock }) => {
    const handlers = catalogHandlers({ store });
    return { errorMappings: catalogErrorMappings, routes: catalogRoutes({ handlers, clock }) };
  },
});
