// The reference shop: every service it runs, as the composition root sees them. Only this
// package imports services (docs/architecture.md "Layout"). Every host derives the rest
// from this list: embedded mode mounts each, local mode runs each as its own process on
// the base port + its place in the list, and the topics are provisioned from it.
// Adding a context is its folder and one line here.
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

/** The saga dashboard acts through the saga service and shows every service's dead letters, its own too. */
export const shopServices: readonly ServiceDefinition[] = [
  ...shopServicesButTheDashboard,
  sagaDashboardService({
    sagaService: orderPlacementService.name,
    deadLetterServices: [...shopServicesButTheDashboard.map((service) => service.name), SAGA_DASHBOARD],
  }),
];

/** The service of that name, or an error listing the names there are. */
export const shopService = (name: string): ServiceDefinition => {
  const found = shopServices.find((service) => service.name === name);
  if (!found) throw new Error(`no service '${name}': the shop's services are ${shopServices.map((service) => service.name).join(', ')}`);
  return found;
};

/** Local mode: a service's port, from the base port and its place in the list. */
export const portOf = (name: string, basePort: number): number => basePort + 1 + shopServices.indexOf(shopService(name));
