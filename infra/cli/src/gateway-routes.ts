// The shop's routing table (docs/gateway.md): which service answers each public path.
// Commands and reads of orders and stock go to different services: a context takes the
// commands, its read model answers the reads.
import type { GatewayRoute } from '@ordo/gateway';

const COMMANDS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const shopRoutes: readonly GatewayRoute[] = [
  { prefix: '/v1/products', service: 'catalog' },
  { prefix: '/v1/customers', service: 'customers' },
  { prefix: '/v1/orders', service: 'orders', methods: COMMANDS },
  { prefix: '/v1/orders', service: 'orders-view', methods: ['GET'] },
  { prefix: '/v1/prices', service: 'orders' },
  { prefix: '/v1/stock', service: 'inventory', methods: COMMANDS },
  { prefix: '/v1/stock', service: 'inventory-view', methods: ['GET'] },
  { prefix: '/v1/payments', service: 'payments' },
  { prefix: '/v1/shipments', service: 'shipping' },
  { prefix: '/v1/sagas', service: 'sagas' },
  { prefix: '/v1/saga-dashboard', service: 'saga-dashboard' },
  { prefix: '/dashboard', service: 'saga-dashboard' },
];
