import { randomBytes } from 'node:crypto';
import { startBroker, stopBroker } from '@ordo/kafka-local';
import { testEnvironment } from '@ordo/testing';
import { launchLocal, type LaunchedShop } from './launch';
import { shopClient, uniqueSku } from './shop-client';
import { shopScenarios } from './shop-scenarios';

// `npm run start:local`: a process per service under the supervisor, on PostgreSQL and a
// broker of this file's own (the shop's topic and group names are fixed, so it must not
// share a broker with a developer's running shop).
const BROKER_PORT = 19_392;

describe('the shop in local mode', () => {
  const env = testEnvironment();
  const schemaPrefix = `t_local_${randomBytes(3).toString('hex')}_`;
  let shop: LaunchedShop;

  beforeAll(async () => {
    const broker = await startBroker({ port: BROKER_PORT, fresh: true, heap: '512m' });
    shop = await launchLocal({
      basePort: 21_000 + Math.floor(Math.random() * 400) * 10,
      databaseUrl: env.databaseUrl,
      schemaPrefix,
      kafkaBrokers: broker.brokers,
      env: { LOG_LEVEL: 'info' },
    });
  }, 300_000);
  afterAll(async () => {
    await shop?.stop();
    await stopBroker({ port: BROKER_PORT });
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: env.databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like $1`, [`${schemaPrefix}%`]);
    for (const { nspname } of rows) await client.query(`drop schema "${nspname}" cascade`);
    await client.end();
  }, 120_000);

  shopScenarios(() => shop);

  it("follows one order's trace from the POST through every hop: orders, the saga, inventory, the saga, orders", async () => {
    const client = shopClient(shop.urls, shop.tokens);
    const sku = uniqueSku('trace');
    await client.addProduct(sku, 250, 5);
    const traceId = randomBytes(16).toString('hex');
    const placed = await fetch(`${shop.urls.orders}/v1/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${shop.tokens.customer}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ lines: [{ sku, quantity: 1 }] }),
    });
    const { orderId } = (await placed.json()) as { orderId: string };
    expect((await client.settled(orderId)).status).toBe('confirmed');

    // Every event of this order, in every context's store, carries the trace of the POST.
    const pg = await import('pg');
    const db = new pg.default.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const eventsOf = async (context: string) =>
        (
          await db.query<{ type: string; traceparent: string | null }>(
            `select type, metadata->>'traceparent' as traceparent from "${schemaPrefix}${context}".events where stream like '%' || $1 or data->>'orderId' = $1 order by position`,
            [orderId],
          )
        ).rows;
      const hops = { orders: await eventsOf('orders'), sagas: await eventsOf('sagas'), inventory: await eventsOf('inventory') };
      expect(hops.orders.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderConfirmed']);
      expect(hops.inventory.map((event) => event.type)).toEqual(['StockReserved']);
      expect(hops.sagas.map((event) => event.type)).toEqual(expect.arrayContaining(['SagaStarted', 'CommandIssued']));
      for (const event of Object.values(hops).flat())
        expect({ type: event.type, traceId: event.traceparent?.split('-')[1] }).toEqual({ type: event.type, traceId });
    } finally {
      await db.end();
    }
  });

  it("prefixes each service's log lines, and stops every service on Ctrl-C", async () => {
    for (const name of ['catalog', 'inventory', 'orders', 'sagas']) expect(shop.output.some((line) => line.startsWith(`[${name}`))).toBe(true);
    expect(await shop.stop()).toEqual({ leftovers: 0 });
  });
});
