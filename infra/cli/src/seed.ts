// A small catalog and stock, so a first `npm start` has something to order. Seeded
// through the services' own HTTP APIs, item by item and only where missing, with fixed
// idempotency keys: a start interrupted half-way finishes the seeding next time. A restart
// may find the shop busy with the orders it left behind: a request refused as past
// capacity is sent again after its Retry-After.
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchRetryingRefusals } from './retry-refusals';

export const SEED_PRODUCTS = [
  { sku: 'MUG-001', name: 'Ordo mug', priceCents: 1200, stock: 100 },
  { sku: 'TEE-001', name: 'Ordo t-shirt', priceCents: 2500, stock: 50 },
  { sku: 'STICKER-001', name: 'Ordo sticker', priceCents: 300, stock: 1000 },
] as const;

export interface SeedUrls {
  catalog: string;
  inventory: string;
  orders: string;
  customers: string;
  /** Where stock is read. */
  inventoryView: string;
}

/**
 * The demo customer orders are placed for (orders checks the customer with customers). It is
 * registered as the caller the printed curl places orders as, since an order is placed only
 * for a customer the caller registered.
 */
export const SEED_CUSTOMER = {
  email: 'demo@ordo.example',
  name: 'Demo Customer',
  address: { line1: '1 Example Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
} as const;

const post = async (url: string, key: string, body: unknown, operatorToken: string) => {
  const headers = { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${operatorToken}` };
  const response = await fetchRetryingRefusals(url, { method: 'POST', headers, body: JSON.stringify(body) });
  // 409: a product added by an earlier, interrupted seeding whose key has since expired.
  if (!response.ok && response.status !== 409) throw new Error(`seeding ${url} failed: ${response.status} ${await response.text()}`);
};

const missing = async (url: string) => (await fetchRetryingRefusals(url)).status === 404;

/** Polls until `probe` answers something; past the deadline, throws naming what did not happen. */
const waitFor = async <T>(probe: () => Promise<T | undefined>, deadline: number, what: string): Promise<T> => {
  for (; ; await sleep(50)) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} in time: is the bus running?`);
  }
};

/** Whether the inventory view shows stock added to the sku (404: nothing ever happened to it). */
const stockAdded = async (url: string): Promise<boolean> => {
  const response = await fetchRetryingRefusals(url);
  return response.ok && ((await response.json()) as { added: number }).added > 0;
};

/**
 * Adds a seed product's stock. Inventory refuses stock of a sku it has not learnt of from
 * catalog yet (404, changing nothing, and stored under its key), so each refused attempt is
 * sent again under the next key: a seeding restarted half-way replays the same keys, gets
 * the stored answers, and adds nothing twice.
 */
const addStock = async (inventoryUrl: string, product: (typeof SEED_PRODUCTS)[number], operatorToken: string, deadline: number) => {
  for (let attempt = 0; ; attempt++) {
    const response = await fetchRetryingRefusals(`${inventoryUrl}/v1/stock/${product.sku}/additions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `seed-stock-${product.sku}-${attempt}`, authorization: `Bearer ${operatorToken}` },
      body: JSON.stringify({ quantity: product.stock }),
    });
    if (response.ok) return;
    if (response.status !== 404) throw new Error(`seeding the stock of ${product.sku} failed: ${response.status} ${await response.text()}`);
    if (Date.now() > deadline) throw new Error(`inventory did not learn of ${product.sku} in time: is the bus running?`);
    await sleep(50);
  }
};

/** The operator's token adds products and stock; the customer's, if any, registers the demo customer (without one, an anonymous caller does). */
export interface SeedTokens {
  operator: string;
  customer?: string;
}

/**
 * Adds what is missing: a product catalog lacks, stock of a sku nothing was added to.
 * Inventory and orders keep their own copies of catalog, filled from its events, so the
 * seeding adds a sku's stock once inventory knows the sku, and resolves once orders knows
 * every seeded price.
 */
export const seedShop = async (urls: SeedUrls, tokens: SeedTokens, timeoutMs = 30_000): Promise<{ seeded: boolean; customerId: string | undefined }> => {
  const deadline = Date.now() + timeoutMs;
  const operatorToken = tokens.operator;
  let seeded = false;
  const customerId = await seedCustomer(urls.customers, tokens.customer);
  for (const product of SEED_PRODUCTS) {
    if (await missing(`${urls.catalog}/v1/products/${product.sku}`)) {
      await post(
        `${urls.catalog}/v1/products`,
        `seed-product-${product.sku}`,
        { sku: product.sku, name: product.name, priceCents: product.priceCents },
        operatorToken,
      );
      seeded = true;
    }
  }
  for (const product of SEED_PRODUCTS) {
    if (await stockAdded(`${urls.inventoryView}/v1/stock/${product.sku}`)) continue;
    await addStock(urls.inventory, product, operatorToken, deadline);
    seeded = true;
  }
  const pricesKnown = async () => {
    const unknown = await Promise.all(SEED_PRODUCTS.map(({ sku }) => missing(`${urls.orders}/v1/prices/${sku}`)));
    return unknown.some(Boolean) ? undefined : true;
  };
  await waitFor(pricesKnown, deadline, 'orders did not learn the seeded prices');
  return { seeded, customerId };
};

/**
 * Registers the demo customer as the customer's token, or anonymously without one (embedded
 * mode, where the printed curl is anonymous too), with a fixed key: a restart gets the stored
 * answer and its id. Undefined when the key's answer has expired, or the demo customer was
 * registered by another caller (the email is then registered already, 409, and its id is not given back).
 */
const seedCustomer = async (customersUrl: string, customerToken: string | undefined): Promise<string | undefined> => {
  const headers = {
    'content-type': 'application/json',
    'idempotency-key': 'seed-customer',
    ...(customerToken && { authorization: `Bearer ${customerToken}` }),
  };
  const response = await fetchRetryingRefusals(`${customersUrl}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(SEED_CUSTOMER) });
  if (response.status === 409) return undefined;
  if (!response.ok) throw new Error(`seeding the demo customer failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
};

/**
 * A curl that places an order for the customer; with a token when callers must have one (local
 * mode). It pays with the simulated provider's approved test card, which order placement's
 * versions 2 and 3 need for an order that costs something and version 1 ignores.
 */
export const placeOrderCurl = (ordersUrl: string, customerId: string | undefined, customerToken?: string) =>
  `curl -s -X POST ${ordersUrl}/v1/orders -H 'content-type: application/json' -H "idempotency-key: $(uuidgen 2>/dev/null || date +%s%N)" \\\n` +
  (customerToken ? `  -H 'authorization: Bearer ${customerToken}' \\\n` : '') +
  `  -d '{"customerId":"${customerId ?? '<a customer id from POST /v1/customers>'}","lines":[{"sku":"MUG-001","quantity":2},{"sku":"TEE-001","quantity":1}],"cardToken":"tok_ok"}'`;
