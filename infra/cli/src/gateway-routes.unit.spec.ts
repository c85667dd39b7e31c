import { routeFor, tableErrors } from '@ordo/gateway';
import { shopRoutes } from './gateway-routes';
import { shopServices } from './shop';

describe("the shop's routing table", () => {
  it('names only services the shop runs, and no method of a prefix twice', () => {
    expect(tableErrors(shopRoutes, new Set(shopServices.map((service) => service.name)))).toEqual([]);
  });

  it('sends commands to a context and reads to its read model', () => {
    expect(routeFor(shopRoutes, 'POST', '/v1/orders')?.service).toBe('orders');
    expect(routeFor(shopRoutes, 'POST', '/v1/orders/o-1/cancellation')?.service).toBe('orders');
    expect(routeFor(shopRoutes, 'GET', '/v1/orders/o-1')?.service).toBe('orders-view');
    expect(routeFor(shopRoutes, 'HEAD', '/v1/orders')?.service).toBe('orders-view');
    expect(routeFor(shopRoutes, 'POST', '/v1/stock/MUG-1/additions')?.service).toBe('inventory');
    expect(routeFor(shopRoutes, 'GET', '/v1/stock/MUG-1')?.service).toBe('inventory-view');
    expect(routeFor(shopRoutes, 'GET', '/v1/saga-dashboard/instances')?.service).toBe('saga-dashboard');
    expect(routeFor(shopRoutes, 'GET', '/v1/sagas/order-placement/o-1')?.service).toBe('sagas');
    // A prefix is a whole segment: /v1/sagas does not take /v1/saga-dashboard, nor /v1/orders /v1/orders-x.
    expect(routeFor(shopRoutes, 'GET', '/v1/orders-x')).toBeUndefined();
    // Each service's own operational routes are not routed.
    expect(routeFor(shopRoutes, 'GET', '/v1/dead-letters')).toBeUndefined();
  });
});
