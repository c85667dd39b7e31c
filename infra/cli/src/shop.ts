// The reference shop: every service it runs, as the composition root sees them. Only this
// package imports services (docs/architecture.md "Layout"). Every host derives the rest
// from this list: embedded mode mounts each, local mode runs each as its own process on
// the base port + its place in the list, and the topics are provisioned from it.
// Adding a context is its folder and one line here.
import path from 'node:path';
import { catalogService } from '@ordo/catalog';
import { customersService } from '@ordo/customers';
import type { ServiceDefinition } from '@ordo/host';
import { inventoryService } from '@ordo/inventory';
import { inventoryViewService } from '@ordo/inventory-view';
import { orderPlacementService } from '@ordo/order-placement';
import { ordersService } from '@ordo/orders';
import { ordersViewService } from '@ordo/orders-view';
import { paymentsService } from '@ordo/payments';
import { SAGA_DASHBOARD, sagaDashboardService } from '@ordo/saga-dashboard';
import { shippingService } from '@ordo/shipping';

/** Partitions of each of the shop's topics, as local mode and `ordo republish` create them. */
export const SHOP_TOPIC_PARTITIONS = 3;

// New services go at the end: local mode's ports follow the order.
const shopServicesButTheDashboard: readonly ServiceDefinition[] = [
  catalogService,
  inventoryService,
  ordersService,
  orderPlacementService,
  customersService,
  paymentsService,
  shippingService,
  ordersViewService,
  inventoryViewService,
];

/**
 * The saga dashboard acts through the saga service and shows every service's dead letters,
 * its own too. Its own process (its Dockerfile, `--production`) reads these from
 * SAGA_SERVICE and DEAD_LETTER_SERVICES.
 */
export const dashboardOptions = {
  sagaService: orderPlacementService.name,
  deadLetterServices: [...shopServicesButTheDashboard.map((service) => service.name), SAGA_DASHBOARD],
} as const;

export const shopServices: readonly ServiceDefinition[] = [...shopServicesButTheDashboard, sagaDashboardService(dashboardOptions)];

/** The service of that name, or an error listing the names there are. */
export const shopService = (name: string): ServiceDefinition => {
  const found = shopServices.find((service) => service.name === name);
  if (!found) throw new Error(`no service '${name}': the shop's services are ${shopServices.map((service) => service.name).join(', ')}`);
  return found;
};

/** Local mode: a service's port, from the base port and its place in the list. */
export const portOf = (name: string, basePort: number): number => basePort + 1 + shopServices.indexOf(shopService(name));

/** The gateway's name beside the services': local mode runs it on the base port, compose as a container. */
export const GATEWAY = 'gateway';

/**
 * Each service's package, and the gateway's: its production build is `<its folder>/dist/main.js`,
 * which its Dockerfile runs, and local mode too with `--production` (docs/deploying.md).
 */
export const SERVICE_PACKAGES: Readonly<Record<string, string>> = {
  catalog: '@ordo/catalog',
  inventory: '@ordo/inventory',
  orders: '@ordo/orders',
  sagas: '@ordo/order-placement',
  customers: '@ordo/customers',
  payments: '@ordo/payments',
  shipping: '@ordo/shipping',
  'orders-view': '@ordo/orders-view',
  'inventory-view': '@ordo/inventory-view',
  'saga-dashboard': '@ordo/saga-dashboard',
  [GATEWAY]: '@ordo/gateway',
};

/** A service's package folder: where its Dockerfile and dist/ are. */
export const packageFolderOf = (name: string): string => {
  const packageName = SERVICE_PACKAGES[name];
  if (!packageName) throw new Error(`no package for '${name}'`);
  // The package's entry in the sources (the default export condition) is <folder>/src/index.ts.
  return path.dirname(path.dirname(require.resolve(packageName)));
};
