// A small catalog and stock, so a first `npm start` has something to order. Seeded
// through the services' own HTTP APIs, item by item and only where missing, with fixed
// idempotency keys: a start interrupted half-way finishes the seeding next time.
import { setTimeout as sleep } from 'node:timers/promises';

export const SEED_PRODUCTS = [
  { sku: 'MUG-001', name: 'Ordo mug', priceCents: 1200, stock: 100 },
  { sku: 'TEE-001', name: 'Ordo t-shirt', priceCents: 2500, stock: 50 },
  { sku: 'STICKER-001', name: 'Ordo sticker', priceCents: 300, stock: 1000 },
] as const;

export interface SeedUrls {
  catalog: string;
  inventory: string;
  orders: string;
}

const post = async (url: string, key: string, body: unknown) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  // 409: a product added by an earlier, interrupted seeding whose key has since expired.
  if (!response.ok && response.status !== 409) throw new Error(`seeding ${url} failed: ${response.status} ${await response.text()}`);
};

const missing = async (url: string) => (await fetch(url)).status === 404;

/** Adds what is missing; resolves once orders knows every seeded price (its copy fills from catalog's events). */
export const seedShop = async (urls: SeedUrls, timeoutMs = 30_000): Promise<boolean> => {
  let seeded = false;
  for (const product of SEED_PRODUCTS) {
    if (await missing(`${urls.catalog}/v1/products/${product.sku}`)) {
      await post(`${urls.catalog}/v1/products`, `seed-product-${product.sku}`, { sku: product.sku, name: product.name, priceCents: product.priceCents });
      seeded = true;
    }
    if (await missing(`${urls.inventory}/v1/stock/${product.sku}`)) {
      await post(`${urls.inventory}/v1/stock/${product.sku}/additions`, `seed-stock-${product.sku}`, { quantity: product.stock });
      seeded = true;
    }
  }
  for (const deadline = Date.now() + timeoutMs; ; await sleep(50)) {
    const known = await Promise.all(SEED_PRODUCTS.map(async ({ sku }) => !(await missing(`${urls.orders}/v1/prices/${sku}`))));
    if (known.every(Boolean)) return seeded;
    if (Date.now() > deadline) throw new Error('orders did not learn the seeded prices in time: is the bus running?');
  }
};

export const placeOrderCurl = (ordersUrl: string) =>
  `curl -s -X POST ${ordersUrl}/v1/orders -H 'content-type: application/json' -H "idempotency-key: $(uuidgen 2>/dev/null || date +%s%N)" \\\n` +
  `  -d '{"lines":[{"sku":"MUG-001","quantity":2},{"sku":"TEE-001","quantity":1}]}'`;
