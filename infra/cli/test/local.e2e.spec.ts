import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { eventually, testEnvironment } from '@ordo/testing';
import { databaseNameOf } from '../src/databases';
import { fetchRetryingRefusals } from '../src/retry-refusals';
import { shopServices } from '../src/shop';
import type { LaunchedLocalShop } from './launch';
import { startLocalShop, throughGateway, type LocalShopOnItsBroker } from './local-shop';
import { runOrdo } from './run-ordo';
import { shopClient, uniqueSku } from './shop-client';
import { shopScenarios } from './shop-scenarios';

// `npm run start:local`: a process per service under the supervisor, on PostgreSQL and a
// broker of this file's own (the shop's topic and group names are fixed, so it must not
// share a broker with a developer's running shop). Each service runs on a database and
// role of its own, which the supervisor makes from the test's DATABASE_URL (an administrator).
const BROKER_PORT = 19_392;

describe('the shop in local mode', () => {
  const env = testEnvironment();
  const databasePrefix = `t_local_${randomBytes(3).toString('hex')}_`;
  let local: LocalShopOnItsBroker;
  let shop: LaunchedLocalShop;

  beforeAll(async () => {
    local = await startLocalShop({ brokerPort: BROKER_PORT, databasePrefix, env: { LOG_LEVEL: 'info' } });
    shop = local.shop;
  }, 300_000);
  afterAll(() => local?.stop(), 120_000);

  shopScenarios(() => shop);

  it('tells with ordo status that every service and the gateway are ready, their backlogs, and the sagas by state', async () => {
    const status = await runOrdo(['--mode', 'local', 'status'], { PORT: String(local.basePort), ORDO_TOKEN: shop.tokens.operator, ORDO_URL: '' });
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = status.stdout.split('\n').map((line) => line.split(/ {2,}/));
    for (const name of [...shopServices.map((service) => service.name), 'gateway']) expect(rows.find((row) => row[0] === name)?.[1]).toBe('ready');
    // orders runs a relay and consumers: its figures are numbers, not '-'.
    expect(rows.find((row) => row[0] === 'orders')?.slice(2, 5)).toEqual([
      expect.stringMatching(/^\d+$/),
      expect.stringMatching(/^\d+ ms$/),
      expect.stringMatching(/^\d+$/),
    ]);
    expect(status.stdout).toMatch(/^sagas by state: .*completed [1-9]\d*/m);
  });

  describe('through the gateway, every call on one port', () => {
    shopScenarios(() => throughGateway(shop));

    it('documents at /docs every operation each service documents, under that service, and no service-only route', async () => {
      type Document = { paths: Record<string, Record<string, { tags?: string[] }>> };
      const documentOf = async (url: string) => (await (await fetch(`${url}/docs/json`)).json()) as Document;
      const merged = await documentOf(shop.gateway);
      // Every service's own: its health, metrics, docs, dead letters and projections are asked for on the service.
      const serviceOnly = /^\/(health|metrics|docs)\b|^\/v1\/(dead-letters|projections)\b/;
      for (const service of shopServices) {
        const own = await documentOf(shop.urlOf(service.name));
        for (const [path, operations] of Object.entries(own.paths)) {
          if (serviceOnly.test(path)) continue;
          for (const method of Object.keys(operations))
            expect({ path, method, tags: merged.paths[path]?.[method]?.tags }).toEqual({ path, method, tags: [service.name] });
        }
      }
      expect(Object.keys(merged.paths).filter((path) => /^\/v1\/(dead-letters|projections)/.test(path))).toEqual([]);
    });
  });

  it("follows one order's trace from the POST through every hop: orders, the saga, inventory, payments, shipping, orders, payments", async () => {
    const client = shopClient(shop.urls, shop.tokens);
    const sku = uniqueSku('trace');
    await client.addProduct(sku, 250, 5);
    const traceId = randomBytes(16).toString('hex');
    // Sent again while refused: the scenarios before leave orders settling slowly, which orders sheds on.
    const placed = await fetchRetryingRefusals(`${shop.urls.orders}/v1/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${shop.tokens.customer}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ customerId: await client.customerId(), lines: [{ sku, quantity: 1 }], cardToken: 'tok_ok' }),
    });
    const { orderId } = (await placed.json()) as { orderId: string };
    expect((await client.settled(orderId)).status).toBe('confirmed');

    // Every event of this order, in every context's store, carries the trace of the POST.
    // Each store is read in its service's own database, as its service's role.
    const eventsOf = async (context: string) => {
      const db = new pg.Client({ connectionString: shop.databases[context] });
      await db.connect();
      try {
        const { rows } = await db.query<{ type: string; traceparent: string | null }>(
          `select type, metadata->>'traceparent' as traceparent from "${context}".events where stream like '%' || $1 or data->>'orderId' = $1 order by position`,
          [orderId],
        );
        return rows;
      } finally {
        await db.end();
      }
    };
    // The capture comes after the confirmation: wait for the saga to finish before reading.
    await client.waitFor(async () => (await eventsOf('payments')).some((event) => event.type === 'PaymentCaptured'), 'the payment captured');
    const hops = {
      orders: await eventsOf('orders'),
      sagas: await eventsOf('sagas'),
      inventory: await eventsOf('inventory'),
      payments: await eventsOf('payments'),
      shipping: await eventsOf('shipping'),
    };
    expect(hops.orders.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderConfirmed']);
    expect(hops.inventory.map((event) => event.type)).toEqual(['StockReserved']);
    expect(hops.payments.map((event) => event.type)).toEqual(['PaymentAuthorized', 'PaymentCaptured']);
    expect(hops.shipping.map((event) => event.type)).toEqual(['ShipmentScheduled']);
    expect(hops.sagas.map((event) => event.type)).toEqual(expect.arrayContaining(['SagaStarted', 'CommandIssued']));
    for (const event of Object.values(hops).flat())
      expect({ type: event.type, traceId: event.traceparent?.split('-')[1] }).toEqual({ type: event.type, traceId });
  });

  it('runs every service as its own role on its own database, which no other service may enter', async () => {
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ database: string; role: string }>(
        `select distinct datname as database, usename as role from pg_stat_activity where starts_with(datname, $1) order by datname, usename`,
        [databasePrefix],
      );
      // Every service holds connections (its event store's LISTEN one at least), each as the role named like its database.
      const names = shopServices.map((service) => databaseNameOf(service, databasePrefix)).sort();
      expect(rows).toEqual(names.map((name) => ({ database: name, role: name })));
    } finally {
      await admin.end();
    }
    const ordersIntoInventory = new URL(shop.databases.orders as string);
    ordersIntoInventory.pathname = new URL(shop.databases.inventory as string).pathname;
    const intruder = new pg.Client({ connectionString: ordersIntoInventory.toString() });
    await expect(intruder.connect()).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/^permission denied for database/) });
    await intruder.end().catch(() => undefined);
  });

  it('refuses orders with 503 through the gateway while customers is stopped, appends nothing, and takes them again once it is back', async () => {
    const client = shopClient(throughGateway(shop).urls, shop.tokens);
    const sku = uniqueSku('down');
    await client.addProduct(sku, 300, 10);
    // The first order registers the client's customer, while customers is up.
    await client.settled(await client.place([{ sku, quantity: 1 }]));
    const ordersEvents = async () => {
      const orders = new pg.Client({ connectionString: shop.databases.orders as string });
      await orders.connect();
      try {
        return Number((await orders.query<{ count: string }>('select count(*) from orders.events')).rows[0]?.count);
      } finally {
        await orders.end();
      }
    };

    const startCustomers = await shop.stopService('customers');
    const before = await ordersEvents();
    const refusals = [];
    // Each refused call counts against orders' circuit breaker, which then refuses at once.
    for (let attempt = 0; attempt < 6; attempt++) {
      const placed = await client.placeOrderOnce([{ sku, quantity: 1 }]);
      refusals.push({ status: placed.status, type: placed.headers.get('content-type'), detail: ((await placed.json()) as { detail?: string }).detail });
    }
    expect(refusals).toEqual(
      refusals.map(() => ({
        status: 503,
        type: expect.stringMatching(/^application\/problem\+json/),
        detail: expect.stringMatching(/^customers is unavailable/),
      })),
    );
    expect(refusals.at(-1)?.detail).toBe('customers is unavailable: its circuit is open after repeated failures');
    expect(await ordersEvents()).toBe(before);

    const stopCustomers = await startCustomers();
    // The circuit lets a trial call through once its half-open delay has passed.
    const orderId = await eventually(
      async () => {
        const placed = await client.placeOrderOnce([{ sku, quantity: 1 }]);
        return placed.status === 201 ? ((await placed.json()) as { orderId: string }).orderId : undefined;
      },
      'an order accepted once customers is back',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await client.settled(orderId)).toMatchObject({ status: 'confirmed' });
    // Started outside the supervisor: stopped here, so Ctrl-C below finds only the supervisor's.
    await stopCustomers();
  });

  it("prefixes each service's log lines, and stops every service on Ctrl-C", async () => {
    for (const name of ['catalog', 'inventory', 'orders', 'sagas']) expect(shop.output.some((line) => line.startsWith(`[${name}`))).toBe(true);
    expect(await shop.stop()).toEqual({ leftovers: 0 });
  });
});
