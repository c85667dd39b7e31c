// Every service of the shop (src/shop.ts) mounted as the test host mounts it (PGlite, the embedded bus,
// a real HTTP port), with the tokens of each role, and the access policy of every shop
// route (docs/security.md): what the shop-wide access, documentation and fuzz specs
// check each route against.
import { productStream } from '@ordo/catalog-contract';
import type { Access, Principal } from '@ordo/http';
import type { OpenApiDocument } from '@ordo/http/fuzz';
import { recordEvent, startTestHost, type TestHost } from '@ordo/host/testing';
import { eventually } from '@ordo/testing';
import { shopServices } from '../src/shop';

/** A service of the shop, by name. */
export type ShopModule = string;
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One token per role, and a second customer. */
export const TOKENS = {
  customer: 'shop-customer-token',
  otherCustomer: 'shop-other-customer-token',
  viewer: 'shop-viewer-token',
  operator: 'shop-operator-token',
  admin: 'shop-admin-token',
  /** What the services call each other with. */
  service: 'shop-service-token',
} as const;
const PRINCIPALS = new Map<string, Principal>([
  [TOKENS.customer, { subject: 'customer-a', roles: ['customer'] }],
  [TOKENS.otherCustomer, { subject: 'customer-b', roles: ['customer'] }],
  [TOKENS.viewer, { subject: 'support', roles: ['viewer'] }],
  [TOKENS.operator, { subject: 'ops', roles: ['operator'] }],
  [TOKENS.admin, { subject: 'root', roles: ['admin'] }],
  [TOKENS.service, { subject: 'service', roles: ['viewer'] }],
]);

/** A sku every module knows once the hosts have started: catalog lists it, inventory and orders learnt it. */
export const KNOWN_SKU = 'MUG-001';

export interface ShopRoute {
  module: ShopModule;
  method: Method;
  /** As fastify declares it (`:sku`). */
  route: string;
  /** The policy when callers need a token (standalone mode). */
  access: Access;
  /** A request the route accepts once past auth. */
  path: string;
  body?: unknown;
  /** Server-sent events: its answer never ends, so only its status and headers are read. */
  stream?: true;
}

/** The saga dashboard's: reads for viewers, actions and dead letters for operators, its login and its page public. */
const DASHBOARD = '/v1/saga-dashboard';
const SAGA_ID = 'orderPlacement-6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10';
const dashboardRoutes: ShopRoute[] = [
  ...['instances', 'counts', 'throughput', 'dead-letters', 'session', 'live'].map((path): ShopRoute => ({
    module: 'saga-dashboard',
    method: 'GET',
    route: `${DASHBOARD}/${path}`,
    access: path === 'dead-letters' ? 'operator' : 'viewer',
    path: `${DASHBOARD}/${path}`,
    ...(path === 'live' && { stream: true as const }),
  })),
  { module: 'saga-dashboard', method: 'GET', route: `${DASHBOARD}/instances/:sagaId`, access: 'viewer', path: `${DASHBOARD}/instances/${SAGA_ID}` },
  {
    module: 'saga-dashboard',
    method: 'GET',
    route: `${DASHBOARD}/instances/:sagaId/history`,
    access: 'viewer',
    path: `${DASHBOARD}/instances/${SAGA_ID}/history`,
  },
  {
    module: 'saga-dashboard',
    method: 'POST',
    route: `${DASHBOARD}/instances/:sagaId/:action`,
    access: 'operator',
    path: `${DASHBOARD}/instances/${SAGA_ID}/retry`,
    body: { reason: 'the provider is back' },
  },
  {
    module: 'saga-dashboard',
    method: 'POST',
    route: `${DASHBOARD}/dead-letters/:consumer/:key/redrive`,
    access: 'operator',
    path: `${DASHBOARD}/dead-letters/orders-view/${SAGA_ID}/redrive`,
  },
  { module: 'saga-dashboard', method: 'POST', route: `${DASHBOARD}/session`, access: 'public', path: `${DASHBOARD}/session`, body: { token: TOKENS.viewer } },
  { module: 'saga-dashboard', method: 'DELETE', route: `${DASHBOARD}/session`, access: 'public', path: `${DASHBOARD}/session` },
  { module: 'saga-dashboard', method: 'GET', route: '/v1/projections', access: 'viewer', path: '/v1/projections' },
  // Its page: HTML and assets that hold no data (the API above guards that).
  { module: 'saga-dashboard', method: 'GET', route: '/dashboard', access: 'public', path: '/dashboard' },
  { module: 'saga-dashboard', method: 'GET', route: '/dashboard/assets/:file', access: 'public', path: '/dashboard/assets/app.js' },
];

/** What an accepted order names: `customerId` becomes the customer startShopHosts registers as the customer role's caller. */
const ORDER_BODY = { customerId: '00000000-0000-4000-8000-000000000000', lines: [{ sku: KNOWN_SKU, quantity: 1 }] };

/** A saga's routes: an instance's view for viewers, the operator's actions. */
const sagaRoutes = (saga: string): ShopRoute[] => {
  const path = `/v1/sagas/${saga}/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10`;
  const acting = (action: string, body: unknown): ShopRoute => ({
    module: 'sagas',
    method: 'POST',
    route: `/v1/sagas/${saga}/:orderId/${action}`,
    access: 'operator',
    path: `${path}/${action}`,
    body,
  });
  return [
    { module: 'sagas', method: 'GET', route: `/v1/sagas/${saga}/:orderId`, access: 'viewer', path },
    acting('retry', { reason: 'the warehouse is down' }),
    acting('compensate', { reason: 'the warehouse is down' }),
    acting('resolve', { comment: 'refunded by hand' }),
  ];
};

/** The dead-letter routes every host serves over its consumers (docs/cli.md, `ordo dlq`): operators only. */
const deadLetterRoutes = (module: ShopModule): ShopRoute[] => {
  const at = (route: string, path: string, method: Method = 'GET'): ShopRoute => ({ module, method, route, access: 'operator', path });
  return [
    at('/v1/dead-letters', '/v1/dead-letters'),
    at('/v1/dead-letters/:consumer', '/v1/dead-letters/no-such-consumer'),
    at('/v1/dead-letters/:consumer/:key', '/v1/dead-letters/no-such-consumer/order-1'),
    at('/v1/dead-letters/:consumer/:key/redrive', '/v1/dead-letters/no-such-consumer/order-1/redrive', 'POST'),
  ];
};

/** The policy, route by route. */
export const SHOP_ROUTES: ShopRoute[] = [
  { module: 'catalog', method: 'GET', route: '/v1/products/:sku', access: 'public', path: `/v1/products/${KNOWN_SKU}` },
  {
    module: 'catalog',
    method: 'POST',
    route: '/v1/products',
    access: 'operator',
    path: '/v1/products',
    body: { sku: 'TEE-001', name: 'T-shirt', priceCents: 1999 },
  },
  {
    module: 'catalog',
    method: 'PUT',
    route: '/v1/products/:sku/price',
    access: 'operator',
    path: `/v1/products/${KNOWN_SKU}/price`,
    body: { priceCents: 1300 },
  },
  {
    module: 'inventory',
    method: 'POST',
    route: '/v1/stock/:sku/additions',
    access: 'operator',
    path: `/v1/stock/${KNOWN_SKU}/additions`,
    body: { quantity: 3 },
  },
  { module: 'orders', method: 'POST', route: '/v1/orders', access: 'customer', path: '/v1/orders', body: ORDER_BODY },
  { module: 'orders', method: 'GET', route: '/v1/prices/:sku', access: 'public', path: `/v1/prices/${KNOWN_SKU}` },
  {
    module: 'orders',
    method: 'POST',
    route: '/v1/orders/:id/cancellation',
    access: 'customer',
    path: '/v1/orders/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10/cancellation',
    body: { reason: 'ordered the wrong size' },
  },
  ...['order-placement', 'order-cancellation'].flatMap(sagaRoutes),
  {
    module: 'customers',
    method: 'POST',
    route: '/v1/customers',
    access: 'public',
    path: '/v1/customers',
    body: { email: 'ada@example.com', name: 'Ada', address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' } },
  },
  { module: 'customers', method: 'GET', route: '/v1/customers/:id', access: 'customer', path: '/v1/customers/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10' },
  { module: 'orders-view', method: 'GET', route: '/v1/orders', access: 'customer', path: '/v1/orders' },
  { module: 'orders-view', method: 'GET', route: '/v1/orders/:id', access: 'customer', path: '/v1/orders/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10' },
  { module: 'inventory-view', method: 'GET', route: '/v1/stock', access: 'public', path: '/v1/stock' },
  { module: 'inventory-view', method: 'GET', route: '/v1/stock/:sku', access: 'public', path: `/v1/stock/${KNOWN_SKU}` },
  { module: 'orders-view', method: 'GET', route: '/v1/projections', access: 'viewer', path: '/v1/projections' },
  { module: 'inventory-view', method: 'GET', route: '/v1/projections', access: 'viewer', path: '/v1/projections' },
  {
    module: 'customers',
    method: 'PUT',
    route: '/v1/customers/:id/address',
    access: 'customer',
    path: '/v1/customers/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10/address',
    body: { line1: '2 Side St', city: 'Berlin', postalCode: '10117', country: 'DE' },
  },
  { module: 'payments', method: 'GET', route: '/v1/payments/:orderId', access: 'viewer', path: '/v1/payments/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10' },
  { module: 'shipping', method: 'GET', route: '/v1/shipments/:orderId', access: 'viewer', path: '/v1/shipments/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10' },
  {
    module: 'shipping',
    method: 'POST',
    route: '/v1/shipments/:orderId/dispatch',
    access: 'operator',
    path: '/v1/shipments/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10/dispatch',
    body: { carrier: 'DHL' },
  },
  ...dashboardRoutes,
  ...shopServices.flatMap((service) => deadLetterRoutes(service.name)),
];

export interface ShopHosts {
  /** Each service's host, by its name. */
  byName: Record<ShopModule, TestHost<string>>;
  /** A service's base URL; an unknown name fails the test. */
  urlOf(module: ShopModule): string;
  close(): Promise<void>;
}

const must = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`the shop has no ${what}`);
  return value;
};

const at = '2025-03-01T10:00:00.000Z';

/**
 * Starts every module with the role tokens, callers needing a token as in standalone
 * mode, then lists KNOWN_SKU in catalog and feeds it to inventory's and orders' copies
 * through stand-in catalog stores.
 */
export const startShopHosts = async (): Promise<ShopHosts> => {
  const common = { clock: () => new Date(at), authTokens: PRINCIPALS, anonymousCustomers: false };
  const hosts: Record<string, TestHost<string>> = {};
  const close = async () => {
    for (const host of Object.values(hosts)) await host.close();
  };
  try {
    // Each service with every other one as a stand-in store, whose events it may consume,
    // and the others' URLs as its peers (filled as they start: read on every call).
    const peers = { urls: {} as Record<string, string>, token: TOKENS.service };
    for (const service of shopServices) {
      // Only services with a store publish events; a read model has none to stand in for.
      const standIns = Object.fromEntries(
        shopServices.filter((other) => other !== service && other.store).map((other) => [other.name, { registry: other.store?.registry }]),
      );
      const host = await startTestHost({ service, standIns, peers, ...common });
      hosts[service.name] = host;
      peers.urls[service.name] = host.url;
    }
    const urlOf = (module: ShopModule) => must(hosts[module], `service ${module}`).url;

    const product = { sku: KNOWN_SKU, name: 'Mug', priceCents: 1250 };
    const listed = await fetch(`${urlOf('catalog')}/v1/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.operator}` },
      body: JSON.stringify(product),
    });
    if (listed.status !== 201) throw new Error(`catalog did not list ${KNOWN_SKU}: ${listed.status} ${await listed.text()}`);
    // The customer's own, so the customer role's order for it is placed (an operator's too; a viewer's is refused).
    const registered = await fetch(`${urlOf('customers')}/v1/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.customer}` },
      body: JSON.stringify({ email: 'shop@example.com', name: 'Shop', address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' } }),
    });
    if (registered.status !== 201) throw new Error(`customers did not register: ${registered.status} ${await registered.text()}`);
    ORDER_BODY.customerId = ((await registered.json()) as { id: string }).id;
    for (const host of Object.values(hosts)) {
      const standIn = host.standIns.catalog;
      if (standIn) await recordEvent(standIn, { stream: productStream(KNOWN_SKU), type: 'ProductAdded', data: { ...product, at }, commandId: 'seed' });
    }
    // Inventory refuses stock of a sku it has not learnt of (404); once it takes some, it knows the sku.
    await eventually(
      async () =>
        (
          await fetch(`${urlOf('inventory')}/v1/stock/${KNOWN_SKU}/additions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.operator}` },
            body: JSON.stringify({ quantity: 10 }),
          })
        ).status === 200,
      `inventory to learn of ${KNOWN_SKU}`,
    );
    // The inventory view's stand-in inventory holds no stock of it: its GET answers 404 there, past auth.
    await eventually(async () => (await fetch(`${urlOf('orders')}/v1/prices/${KNOWN_SKU}`)).status === 200, `orders to price ${KNOWN_SKU}`);
    return { byName: hosts, urlOf, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
};

/** Each host's OpenAPI document, as /docs/json serves it. */
export const openApiDocuments = (hosts: ShopHosts): ((module: ShopModule) => OpenApiDocument) => {
  const documents = new Map(Object.entries(hosts.byName).map(([name, host]) => [name, host.server.swagger() as OpenApiDocument]));
  return (module) => must(documents.get(module), `service ${module}`);
};

/** The shop route a request to a module reaches, by method and decoded path; undefined for anything else. */
export const shopRouteOf = (module: ShopModule, method: string, path: string): ShopRoute | undefined =>
  SHOP_ROUTES.find(
    (candidate) => candidate.module === module && candidate.method === method && new RegExp(`^${candidate.route.replace(/:\w+/g, '[^/]+')}$`).test(path),
  );
