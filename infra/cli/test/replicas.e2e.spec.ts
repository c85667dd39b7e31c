import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { testEnvironment } from '@ordo/testing';
import {
  countSagaStarts,
  outcomeViolations,
  paymentViolations,
  readProviderJournal,
  readSaga,
  readSettled,
  stockViolations,
  type PlacedOrder,
} from './crash-audit';
import type { LaunchedLocalShop } from './launch';
import { startLocalShop, throughGateway, type LocalShopOnItsBroker } from './local-shop';
import { shopClient, uniqueSku, type ShopClient } from './shop-client';
import { shopServices } from '../src/shop';
import { runOrdo } from './run-ordo';

// Replicas (`npm run start:local -- --replicas ...`): two processes of every service, on
// each service's one database, behind the gateway. While orders flow through the gateway,
// one process of every service is killed with SIGKILL at once, and the supervisor starts
// them again. The clients ask again, with the same Idempotency-Key, when the gateway
// answers 502 (their turn fell on a killed replica), or a service 503 or 409 (the key of a
// POST that a killed replica was handling, until its claim is abandoned). Afterwards every
// order is confirmed or rejected exactly once, its saga started once, and the stock and the
// money add up, as in the crash test. Meanwhile the shop's processes never hold more
// PostgreSQL connections than the shares the supervisor gave them (DATABASE_CONNECTIONS).
const BROKER_PORT = 19_452;
const ORDERS = 80;
const INTERVAL_MS = 250;
/** When the kills fall: a few seconds into placing, with orders in flight on every hop. */
const KILL_AFTER_MS = 5_000;
const SETTLE_MS = 180_000;
/**
 * How long a client asks again to place an order. A POST that a killed replica of orders was
 * handling leaves its Idempotency-Key claimed until the claim is abandoned (60 s, the
 * idempotency store's default); until then the other replica answers 409, so a client
 * asks for longer than that. An order sent as the kills fall can be such a POST.
 */
const PLACE_DEADLINE_MS = 90_000;
const SERVICES = shopServices.map((service) => service.name);
const DATABASE_PREFIX = `t_replicas_${randomBytes(3).toString('hex')}_`;

/** The most connections the shop's databases had at once, sampled until stopped (stopping again answers the same). */
const sampleShopConnections = (databaseUrl: string): (() => Promise<number>) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  let peak = 0;
  let sampling = true;
  const sampled = (async () => {
    while (sampling) {
      const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname like $1`, [`${DATABASE_PREFIX}%`]);
      peak = Math.max(peak, rows[0]?.n ?? 0);
      await sleep(250);
    }
  })();
  let stopped: Promise<number> | undefined;
  return () =>
    (stopped ??= (async () => {
      sampling = false;
      await sampled;
      await pool.end();
      return peak;
    })());
};

describe('the shop in local mode with two replicas of every service, one of each killed while orders flow', () => {
  let local: LocalShopOnItsBroker;
  let shop: LaunchedLocalShop;
  let client: ShopClient;
  // Stopped by the test, or here when it failed first: a sampler left going keeps jest from exiting.
  let stopSampling: (() => Promise<number>) | undefined;

  beforeAll(async () => {
    local = await startLocalShop({
      brokerPort: BROKER_PORT,
      databasePrefix: DATABASE_PREFIX,
      // Twenty-one processes: a range of ports no other spec's shop takes.
      basePort: 27_000 + randomInt(100) * 30,
      args: ['--replicas', SERVICES.map((name) => `${name}=2`).join(',')],
    });
    shop = local.shop;
    client = shopClient(throughGateway(shop).urls, shop.tokens);
  }, 600_000);
  afterAll(async () => {
    await stopSampling?.();
    await local?.stop();
  }, 120_000);

  /** Places an order through the gateway, asking again with its key until it is accepted. */
  const place = async (key: string, lines: PlacedOrder['lines']): Promise<PlacedOrder> => {
    const body = JSON.stringify({ customerId: await client.customerId(), lines, cardToken: 'tok_ok' });
    for (const deadline = Date.now() + PLACE_DEADLINE_MS; ;) {
      const response = await fetch(`${shop.gateway}/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization: `Bearer ${shop.tokens.customer}` },
        body,
      }).catch((error: unknown) => error as Error);
      if (!(response instanceof Error) && response.status === 201)
        return { orderId: ((await response.json()) as { orderId: string }).orderId, lines, declinedCard: false };
      const what = response instanceof Error ? response.message : `${response.status} ${await response.text()}`;
      if (Date.now() > deadline) throw new Error(`order ${key} was not placed: ${what}`);
      await sleep(500);
    }
  };

  it('runs two processes of every service', () => {
    const commands = shop.processes().map(({ command }) => command);
    for (const name of SERVICES)
      expect({ name, processes: commands.filter((command) => command.endsWith(`serve.ts ${name} `)).length }).toEqual({ name, processes: 2 });
  });

  it('lists every process with ordo status, each replica ready', async () => {
    const status = await runOrdo(['--mode', 'local', 'status'], {
      PORT: String(local.basePort),
      ORDO_DATA_DIR: shop.dataDir,
      ORDO_TOKEN: shop.tokens.operator,
      ORDO_URL: '',
    });
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: 0, stderr: '' });
    const states = new Map(
      status.stdout
        .split('\n')
        .map((line) => line.split(/ {2,}/))
        .map(([server = '', state = '']) => [server, state]),
    );
    for (const name of SERVICES) expect({ name, first: states.get(name), second: states.get(`${name}#2`) }).toEqual({ name, first: 'ready', second: 'ready' });
    expect(states.get('gateway')).toBe('ready');
  });

  it('confirms or rejects every order once, starts each saga once, and conserves stock and money', async () => {
    const plentiful = ['MUG', 'TEE'].map(uniqueSku);
    const scarce = uniqueSku('LAMP');
    const added = new Map([...plentiful.map((sku): [string, number] => [sku, 1_000]), [scarce, 30]]);
    for (const [sku, stock] of added) await client.addProduct(sku, 1_500, stock);

    stopSampling = sampleShopConnections(testEnvironment().databaseUrl);
    const started = Date.now();
    const placing = Promise.all(
      Array.from({ length: ORDERS }, async (_, index) => {
        await sleep(index * INTERVAL_MS);
        const lines = [{ sku: plentiful[index % 2] as string, quantity: 1 + (index % 3) }];
        // Every third order wants the scarce sku too, which runs out: those later are rejected.
        if (index % 3 === 0) lines.push({ sku: scarce, quantity: 2 });
        return place(`replicas-${started}-${index}`, lines);
      }),
    );
    await sleep(KILL_AFTER_MS);
    const killed = await Promise.all(SERVICES.map(async (name) => `${name} (pid ${await shop.killOneReplica(name)})`));
    const placed = await placing;

    const open = new Set(placed.map((order) => order.orderId));
    for (const deadline = Date.now() + SETTLE_MS; open.size > 0 && Date.now() < deadline; await sleep(1_000))
      for (const orderId of [...open]) {
        const saga = await readSaga(shop.gateway, shop.tokens.operator, orderId);
        if (saga?.status === 'completed' || saga?.status === 'rolled-back' || saga?.status === 'failed') open.delete(orderId);
      }
    // Read from the services themselves: a view's lag (GET /v1/projections) is not routed by the
    // gateway. Its checkpoints are in its database, so either replica tells the whole group's.
    const settled = await readSettled(shopClient(shop.urls, shop.tokens), shop.gateway, shop.tokens.operator, placed, [...added.keys()]);
    const statuses = [...settled.orders.values()].map((order) => order.status);
    const peakConnections = await stopSampling();
    // The supervisor's line: `PostgreSQL connections: <share> for each of <processes> processes (...)`.
    const [, share = '0', processes = '0'] = /PostgreSQL connections: (\d+) for each of (\d+) processes/.exec(shop.output.join('\n')) ?? [];
    console.log(
      `replicas: killed ${killed.join(', ')}; ${statuses.filter((status) => status === 'confirmed').length} confirmed, ${statuses.filter((status) => status === 'rejected').length} rejected, settled in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `PostgreSQL connections at most ${peakConnections}, shares ${share} for each of ${processes} processes`,
    );

    expect(open.size).toBe(0);
    expect(Number(processes)).toBe(SERVICES.length * 2);
    expect(Number(share)).toBeGreaterThan(0);
    expect(peakConnections).toBeLessThanOrEqual(Number(share) * Number(processes));
    expect(outcomeViolations(placed, settled)).toEqual([]);
    expect(stockViolations(placed, settled, added)).toEqual([]);
    expect(await countSagaStarts(shop.databases.sagas as string)).toEqual({ instances: ORDERS, startedTwice: 0 });
    expect(paymentViolations(placed, settled, await readProviderJournal(shop.databases.payments as string))).toEqual([]);
    expect(statuses.filter((status) => status === 'confirmed').length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 'rejected').length).toBeGreaterThan(0);
  }, 900_000);
});
