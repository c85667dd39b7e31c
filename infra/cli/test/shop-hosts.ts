// Every module of the shop mounted as the test host mounts it (PGlite, the embedded bus,
// a real HTTP port), with the tokens of each role, and the access policy of every shop
// route (docs/security.md): what the shop-wide access, documentation and fuzz specs
// check each route against.
import { catalogService } from '@ordo/catalog';
import { catalogEventSchemas, productStream } from '@ordo/catalog-contract';
import { eventIdFor } from '@ordo/eventstore';
import type { Access, Principal } from '@ordo/http';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import { inventoryService } from '@ordo/inventory';
import { inventoryEventSchemas } from '@ordo/inventory-contract';
import { orderPlacementService } from '@ordo/order-placement';
import { ordersService } from '@ordo/orders';
import { ordersEventSchemas } from '@ordo/orders-contract';
import { eventually } from '@ordo/testing';

export type ShopModule = 'catalog' | 'inventory' | 'orders' | 'sagas';
type Method = 'GET' | 'POST' | 'PUT';

/** One token per role, and a second customer. */
export const TOKENS = {
  customer: 'shop-customer-token',
  otherCustomer: 'shop-other-customer-token',
  viewer: 'shop-viewer-token',
  operator: 'shop-operator-token',
  admin: 'shop-admin-token',
} as const;
const PRINCIPALS = new Map<string, Principal>([
  [TOKENS.customer, { subject: 'customer-a', roles: ['customer'] }],
  [TOKENS.otherCustomer, { subject: 'customer-b', roles: ['customer'] }],
  [TOKENS.viewer, { subject: 'support', roles: ['viewer'] }],
  [TOKENS.operator, { subject: 'ops', roles: ['operator'] }],
  [TOKENS.admin, { subject: 'root', roles: ['admin'] }],
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
}

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
  { module: 'inventory', method: 'GET', route: '/v1/stock/:sku', access: 'public', path: `/v1/stock/${KNOWN_SKU}` },
  { module: 'orders', method: 'POST', route: '/v1/orders', access: 'customer', path: '/v1/orders', body: { lines: [{ sku: KNOWN_SKU, quantity: 1 }] } },
  { module: 'orders', method: 'GET', route: '/v1/orders/:id', access: 'customer', path: '/v1/orders/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10' },
  { module: 'orders', method: 'GET', route: '/v1/prices/:sku', access: 'public', path: `/v1/prices/${KNOWN_SKU}` },
  {
    module: 'sagas',
    method: 'GET',
    route: '/v1/sagas/order-placement/:orderId',
    access: 'viewer',
    path: '/v1/sagas/order-placement/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10',
  },
];

/** The route as OpenAPI writes it: `/v1/products/{sku}`. */
export const openApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');

export type ShopHosts = Record<ShopModule, TestHost<string>>;

const at = '2025-03-01T10:00:00.000Z';

/**
 * Starts every module with the role tokens, callers needing a token as in standalone
 * mode, then lists KNOWN_SKU in catalog and feeds it to inventory's and orders' copies
 * through stand-in catalog stores.
 */
export const startShopHosts = async (): Promise<ShopHosts & { close(): Promise<void> }> => {
  const common = { clock: () => new Date(at), authTokens: PRINCIPALS, anonymousCustomers: false };
  const started: TestHost<string>[] = [];
  const close = async () => {
    for (const host of started.splice(0)) await host.close();
  };
  try {
    const start = async <S extends string>(host: Promise<TestHost<S>>) => {
      const running = await host;
      started.push(running);
      return running;
    };
    const catalog = await start(startTestHost({ name: 'catalog', factory: catalogService, registry: catalogEventSchemas, ...common }));
    const stock = { catalog: { registry: catalogEventSchemas }, sagas: {} };
    const inventory = await start(startTestHost({ name: 'inventory', factory: inventoryService, registry: inventoryEventSchemas, standIns: stock, ...common }));
    const orders = await start(startTestHost({ name: 'orders', factory: ordersService, registry: ordersEventSchemas, standIns: stock, ...common }));
    const sagas = await start(
      startTestHost({
        name: 'sagas',
        factory: orderPlacementService,
        standIns: { orders: { registry: ordersEventSchemas }, inventory: { registry: inventoryEventSchemas } },
        ...common,
      }),
    );

    const product = { sku: KNOWN_SKU, name: 'Mug', priceCents: 1250 };
    const listed = await fetch(`${catalog.url}/v1/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.operator}` },
      body: JSON.stringify(product),
    });
    if (listed.status !== 201) throw new Error(`catalog did not list ${KNOWN_SKU}: ${listed.status} ${await listed.text()}`);
    const metadata = { correlationId: 'seed', causationId: 'seed', commandId: 'seed', schemaVersion: 1 };
    for (const host of [inventory, orders]) {
      await host.standIns.catalog.appendToStream(
        productStream(KNOWN_SKU),
        [{ id: eventIdFor('seed', 0), type: 'ProductAdded', data: { ...product, at }, metadata }],
        { expectedRevision: 'any' },
      );
    }
    await eventually(async () => (await fetch(`${inventory.url}/v1/stock/${KNOWN_SKU}`)).status === 200, `inventory to learn of ${KNOWN_SKU}`);
    await eventually(async () => (await fetch(`${orders.url}/v1/prices/${KNOWN_SKU}`)).status === 200, `orders to price ${KNOWN_SKU}`);
    return { catalog, inventory, orders, sagas, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
};

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

/** Each host's OpenAPI document, as /docs/json serves it. */
export const openApiDocuments = (hosts: ShopHosts): Record<ShopModule, OpenApiDocument> => ({
  catalog: hosts.catalog.server.swagger() as OpenApiDocument,
  inventory: hosts.inventory.server.swagger() as OpenApiDocument,
  orders: hosts.orders.server.swagger() as OpenApiDocument,
  sagas: hosts.sagas.server.swagger() as OpenApiDocument,
});

/**
 * Why an answer of a route is not what its OpenAPI document promises, or undefined: its
 * status must be documented, and an error status as problem+json.
 */
export const undocumentedAnswer = (document: OpenApiDocument, route: Pick<ShopRoute, 'method' | 'route'>, status: number): string | undefined => {
  const responses = document.paths[openApiPath(route.route)]?.[route.method.toLowerCase()]?.responses;
  if (!responses) return `${route.method} ${route.route} is not in its OpenAPI document`;
  const documented = responses[String(status)];
  if (!documented)
    return `${route.method} ${route.route} answered ${status}, which its OpenAPI document does not list (it lists ${Object.keys(responses).join(', ')})`;
  if (status >= 400 && !Object.keys(documented.content ?? {}).includes('application/problem+json'))
    return `${route.method} ${route.route} documents ${status} without problem+json`;
  return undefined;
};

/** The shop route a request to a module reaches, by method and decoded path; undefined for anything else. */
export const shopRouteOf = (module: ShopModule, method: string, path: string): ShopRoute | undefined =>
  SHOP_ROUTES.find(
    (candidate) => candidate.module === module && candidate.method === method && new RegExp(`^${candidate.route.replace(/:\w+/g, '[^/]+')}$`).test(path),
  );
