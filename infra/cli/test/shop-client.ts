// The shop as a client sees it over HTTP, for the end-to-end tests and the benchmark.
import { randomBytes, randomUUID } from 'node:crypto';
import { eventually } from '@ordo/testing/eventually';
import { fetchRetryingRefusals } from '../src/retry-refusals';

export interface ShopUrls {
  catalog: string;
  inventory: string;
  orders: string;
  sagas: string;
  customers: string;
  payments: string;
  shipping: string;
  /** Where orders are read: the orders view. */
  ordersView: string;
  /** Where stock is read: the inventory view. */
  inventoryView: string;
}

/** Every URL of an embedded shop: one process, one port. */
export const embeddedUrls = (url: string): ShopUrls => ({
  catalog: url,
  inventory: url,
  orders: url,
  sagas: url,
  customers: url,
  payments: url,
  shipping: url,
  ordersView: url,
  inventoryView: url,
});

export interface OrderView {
  orderId: string;
  status: 'pending' | 'confirmed' | 'rejected' | 'shipped' | 'cancelled';
  reason?: string;
  cancellation?: { reason: string; requestedAt: string };
  lines: { sku: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
}

export interface StockView {
  sku: string;
  added: number;
  available: number;
  reserved: number;
  dispatched: number;
  reservations: { orderId: string; quantity: number }[];
}

const json = async <T>(response: Response, what: string): Promise<T> => {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
};

/** Bearer tokens: the operator's, and a customer's where callers must have one (local mode). */
export interface ShopTokens {
  operator: string;
  customer?: string;
}

const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

type Send = (url: string, init: RequestInit) => Promise<Response>;

const postVia =
  (send: Send) =>
  (url: string, body: unknown, token: string | undefined, key: string = randomUUID()) =>
    send(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key, ...bearer(token) }, body: JSON.stringify(body) });

const post = postVia(fetch);
/** `post`, sent again while refused as past capacity (503 with Retry-After), as a client of the shop should. */
const postRetryingRefusals = postVia(fetchRetryingRefusals);

/** The simulated provider's approved test card (payments' TEST_CARDS.ok): orders pay with it unless a test says otherwise. */
const DEFAULT_CARD = 'tok_ok';

/** A sku no other test or run uses. */
export const uniqueSku = (name: string) => `${name}-${randomBytes(4).toString('hex')}`.toUpperCase();

/** Whether every field `expected` names has that value in `actual` (lists compared whole). */
const matches = (actual: object, expected: object): boolean =>
  Object.entries(expected).every(([key, value]) => JSON.stringify((actual as Record<string, unknown>)[key]) === JSON.stringify(value));

/**
 * Adds products and stock as the operator, reads stock as the operator (reservations show to
 * viewers and up), orders as the customer. Reads go to the views: an order is read with the
 * position of the client's last write to it in Read-After, so it is never older than that write.
 */
export const shopClient = (urls: ShopUrls, tokens: ShopTokens) => {
  const asOperator = { headers: bearer(tokens.operator) };
  const asCustomer = { headers: bearer(tokens.customer) };
  /** The ETag of this client's last write to each order. */
  const written = new Map<string, string>();
  const remember = (response: Response): Response => {
    const etag = response.headers.get('etag');
    const orderId = /^"order-(.+):\d+"$/.exec(etag ?? '')?.[1];
    if (etag && orderId) written.set(orderId, etag);
    return response;
  };
  // Orders are placed for one customer, registered on the first order (orders checks it with customers).
  let customer: Promise<string> | undefined;
  const customerId = () =>
    (customer ??= (async () => {
      const email = `${randomUUID()}@example.com`;
      const address = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
      return (
        await json<{ id: string }>(
          await postRetryingRefusals(`${urls.customers}/v1/customers`, { email, name: 'Test Customer', address }, tokens.customer),
          'register a customer',
        )
      ).id;
    })());
  const sendOrder = async (send: typeof post, lines: { sku: string; quantity: number }[], key: string | undefined, cardToken: string | null) =>
    remember(await send(`${urls.orders}/v1/orders`, { customerId: await customerId(), lines, ...(cardToken !== null && { cardToken }) }, tokens.customer, key));
  const client = {
    /** The customer this client places orders for, registered on first use. */
    customerId,
    /**
     * Adds the product, waits until inventory knows it (its copy of catalog fills from
     * catalog's events, and refuses stock for a sku it does not know), adds its stock,
     * then waits until orders has its price.
     */
    addProduct: async (sku: string, priceCents: number, stock: number) => {
      await json(await postRetryingRefusals(`${urls.catalog}/v1/products`, { sku, name: `Product ${sku}`, priceCents }, tokens.operator), `add product ${sku}`);
      // 404 until inventory has learnt of the product; a refused addition changes nothing, so it is sent again.
      if (stock > 0) {
        let added: Response | undefined;
        await client.waitFor(async () => {
          added = await postRetryingRefusals(`${urls.inventory}/v1/stock/${sku}/additions`, { quantity: stock }, tokens.operator);
          return added.status !== 404;
        }, `inventory to know ${sku}`);
        await json(added as Response, `add stock ${sku}`);
      }
      await client.waitFor(async () => (await fetch(`${urls.orders}/v1/prices/${sku}`)).ok, `orders to know the price of ${sku}`);
      // The inventory view applies events a quarter of a second at a time: a read right after would not find the sku.
      if (stock > 0) await client.stockMatching(sku, { added: stock });
    },
    /**
     * `cardToken`: the card the order is paid with, which the five-step saga needs. Default: the
     * simulated provider's approved test card; `null` places the order without one. The answer
     * as it comes, a refusal too (the benchmark counts them).
     */
    /** Places an order, sent again while refused as past capacity (orders sheds while orders settle slowly); its answer as it is. */
    placeOrder: (lines: { sku: string; quantity: number }[], key?: string, cardToken: string | null = DEFAULT_CARD) =>
      sendOrder(postRetryingRefusals, lines, key, cardToken),
    /** Places an order once, whatever the answer: for a spec that expects a refusal. */
    placeOrderOnce: (lines: { sku: string; quantity: number }[], key?: string, cardToken: string | null = DEFAULT_CARD) =>
      sendOrder(post, lines, key, cardToken),
    /** Places an order and returns its id, sent again while refused as past capacity; throws unless it was accepted. */
    place: async (lines: { sku: string; quantity: number }[], key?: string, cardToken: string | null = DEFAULT_CARD): Promise<string> =>
      (await json<OrderView>(await sendOrder(postRetryingRefusals, lines, key, cardToken), 'place order')).orderId,
    /** Records a write to an order this client made by other means (a cancellation), so reads wait for it. */
    wrote: remember,
    order: async (orderId: string) => {
      const readAfter = written.get(orderId);
      const headers = { ...asCustomer.headers, ...(readAfter && { 'read-after': readAfter }) };
      return json<OrderView>(await fetch(`${urls.ordersView}/v1/orders/${orderId}`, { headers }), `get order ${orderId}`);
    },
    /** The stock as the inventory view shows it now: a moment behind inventory's events. */
    stock: async (sku: string) => json<StockView>(await fetch(`${urls.inventoryView}/v1/stock/${sku}`, asOperator), `get stock ${sku}`),
    /** Waits until the inventory view shows the sku's stock with the values `expected` names; resolves to it. */
    stockMatching: async (sku: string, expected: Partial<StockView>, timeoutMs = 60_000): Promise<StockView> => {
      let last: StockView | undefined;
      try {
        return await eventually(
          async () => {
            last = await client.stock(sku).catch(() => undefined);
            return last && matches(last, expected) ? last : undefined;
          },
          `the stock of ${sku} to be ${JSON.stringify(expected)}`,
          { timeoutMs, intervalMs: 50 },
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
      }
    },
    /**
     * Waits until every view has applied every event there is (each view's GET /v1/projections
     * says 0 behind): reads after it see what the contexts hold, not a quarter of a second less.
     */
    viewsCaughtUp: (timeoutMs = 60_000) =>
      client.waitFor(
        async () => {
          for (const url of new Set([urls.ordersView, urls.inventoryView])) {
            const response = await fetch(`${url}/v1/projections`, asOperator);
            if (!response.ok) return false;
            const { projections } = (await response.json()) as { projections: { eventsBehind: number | null }[] };
            if (projections.some((projection) => projection.eventsBehind !== 0)) return false;
          }
          return true;
        },
        'the views to catch up',
        timeoutMs,
      ),
    /** Waits until the order is confirmed or rejected. */
    settled: (orderId: string, timeoutMs = 60_000): Promise<OrderView> =>
      eventually(
        async () => {
          // A view behind its bound answers 503: not yet, as a pending order is.
          const order = await client.order(orderId).catch(() => undefined);
          return order === undefined || order.status === 'pending' ? undefined : order;
        },
        `order ${orderId} to be confirmed or rejected`,
        { timeoutMs, intervalMs: 50 },
      ),
    /** A failing check (a service restarting) counts as "not yet". */
    waitFor: (check: () => Promise<boolean>, what: string, timeoutMs = 60_000) =>
      eventually(() => check().catch(() => false), what, { timeoutMs, intervalMs: 50 }),
  };
  return client;
};

export type ShopClient = ReturnType<typeof shopClient>;
