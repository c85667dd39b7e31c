import { CONTEXT } from '@ordo/catalog-contract';
import type { ServiceFactory } from '@ordo/host';
import { catalogHandlers } from './application/handlers';
import { catalogRoutes, errorMappings } from './http';

/**
 * Catalog as a service (docs/architecture.md, "The three ways it runs"): products are listed and
 * priced over HTTP; its events reach orders' price table through the bus. It consumes
 * nothing.
 */
export const catalogService: ServiceFactory = ({ store, bus, clock }) => {
  const handlers = catalogHandlers(store);
  return {
    name: CONTEXT,
    api: { title: 'Catalog', version: '1.0.0', description: 'Products with sku, name and price' },
    errorMappings,
    routes: catalogRoutes(handlers, clock),
    publish: () => bus.publish(CONTEXT, store),
    start: async () => undefined,
  };
};
