// The shop as a client sees it over HTTP, for the end-to-end tests and the benchmark.
import { randomBytes, randomUUID } from 'node:crypto';
import { eventually } from '@ordo/testing/eventually';

export interface ShopUrls {
  catalog: string;
  inventory: string;
  orders: string;
  sagas: string;
}

export interface OrderView {
  orderId: string;
  status: 'pending' | 'confirmed' | 'rejected';
  reason?: string;
  lines: { sku: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
}

export interface StockView {
  sku: string;
  added: number;
  available: number;
  reserved: number;
  reservations: { orderId: string; quantity: number }[];
}

const json = async <T>(response: Response, what: string): Promise<T> => {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

const post = (url: string, body: unknown, key: string = randomUUID()) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });

/** A sku no other test or run uses. */
export const uniqueSku = (name: string) => `${name}-${randomBytes(4).toString('hex')}`.toUpperCase();

export const shopClient = (urls: ShopUrls) => {
  const client = {
    /**
     * Adds the product, waits until inventory knows it (its copy of catalog fills from
     * catalog's events, and refuses stock for a sku it does not know), adds its stock,
     * then waits until orders has its price.
     */
    addProduct: async (sku: string, priceCents: number, stock: number) => {
      await json(await post(`${urls.catalog}/v1/products`, { sku, name: `Product ${sku}`, priceCents }), `add product ${sku}`);
      await client.waitFor(async () => (await fetch(`${urls.inventory}/v1/stock/${sku}`)).ok, `inventory to know ${sku}`);
      if (stock > 0) await json(await post(`${urls.inventory}/v1/stock/${sku}/additions`, { quantity: stock }), `add stock ${sku}`);
      await client.waitFor(async () => (await fetch(`${urls.orders}/v1/prices/${sku}`)).ok, `orders to know the price of ${sku}`);
    },
    placeOrder: (lines: { sku: string; quantity: number }[], key?: string) => post(`${urls.orders}/v1/orders`, { lines }, key),
    /** Places an order and returns its id; throws unless it was accepted. */
    place: async (lines: { sku: string; quantity: number }[], key?: string): Promise<string> =>
      (await json<OrderView>(await client.placeOrder(lines, key), 'place order')).orderId,
    order: async (orderId: string) => json<OrderView>(await fetch(`${urls.orders}/v1/orders/${orderId}`), `get order ${orderId}`),
    stock: async (sku: string) => json<StockView>(await fetch(`${urls.inventory}/v1/stock/${sku}`), `get stock ${sku}`),
    /** Waits until the order is confirmed or rejected. */
    settled: (orderId: string, timeoutMs = 60_000): Promise<OrderView> =>
      eventually(async () => {
        const order = await client.order(orderId);
        return order.status === 'pending' ? undefined : order;
      }, `order ${orderId} to be confirmed or rejected`, { timeoutMs, intervalMs: 50 }),
    /** A failing check (a service restarting) counts as "not yet". */
    waitFor: (check: () => Promise<boolean>, what: string, timeoutMs = 60_000) =>
      eventually(() => check().catch(() => false), what, { timeoutMs, intervalMs: 50 }),
  };
  return client;
};

export type ShopClient = ReturnType<typeof shopClient>;
