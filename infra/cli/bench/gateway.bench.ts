// HTTP command throughput through the gateway: POST /v1/orders on local mode's shop (each
// service its own process, PostgreSQL, Kafka), through its gateway, beside a fastify
// hello-world measured in the same run, both with autocannon as a library. The same POST
// straight to the orders service is measured too, and a cheap read (GET /v1/prices/<sku>)
// both ways before any order is placed, to show what the gateway's hop itself costs, and
// a bare @fastify/http-proxy in front of the hello-world: the most any proxy built on it
// can carry on this machine, with nothing behind it and none of the gateway's own work.
// Every POST places a real order, whose saga then runs: the figure is the throughput of
// commands with the rest of the shop at work behind them.
//
//   npm run bench -- gateway
//   BENCH_SECONDS=10  BENCH_CONNECTIONS=50
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { startBroker, stopBroker } from '@ordo/kafka-local';
import { describeRun, envNumber, printTable, type BenchRow } from '@ordo/testing/bench';
import { launchLocal } from '../test/launch';
import { shopClient, uniqueSku } from '../test/shop-client';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = envNumber('BENCH_SECONDS', 10);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50);
const BROKER_PORT = 19_592;
const SKUS = 50;

/** A fastify server in a process of its own, as the shop's services are; resolves to its URL. */
const startServer = (what: string, setup: string): Promise<{ url: string; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const script = `
      const app = require('fastify')();
      ${setup}
      app.listen({ port: 0, host: '127.0.0.1' }).then((url) => console.log(url));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (url) => resolve({ url, child }));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it listened`)));
  });

const startHelloWorld = () => startServer('the hello-world', `app.get('/', async () => ({ hello: 'world' }));`);
/** @fastify/http-proxy as its README shows it, every request to upstream: no chassis, no routing table. */
const startBareProxy = (upstream: string) =>
  startServer('the bare proxy', `app.register(require('@fastify/http-proxy'), { upstream: ${JSON.stringify(upstream)} });`);

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
  /** Answers other than 2xx, errors and timeouts: a run with any is not a fair figure. */
  failed: number;
}

const measure = async (options: Partial<autocannon.Options> & { url: string }): Promise<Measured> => {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors + result.timeouts };
};

const main = async () => {
  describeRun({ connections: CONNECTIONS, secondsPerMeasure: SECONDS, skus: SKUS });
  const hello = await startHelloWorld();
  const bareProxy = await startBareProxy(hello.url);
  const broker = await startBroker({ port: BROKER_PORT, fresh: true, heap: '1g' });
  const shop = await launchLocal({
    basePort: 24_000,
    databaseUrl: DATABASE_URL,
    databasePrefix: `bench_gateway_${randomBytes(3).toString('hex')}_`,
    kafkaBrokers: broker.brokers,
    // One client sends every request: no rate limit may stand in the way of the figure.
    env: { RATE_LIMIT_MAX: '1000000000', LOG_LEVEL: 'warn' },
  });
  try {
    const client = shopClient(shop.urls, shop.tokens);
    // Orders spread over many skus, as the saga bench's are: one sku would make every
    // reservation race on one stream (the flash sale, a scenario of its own).
    const skus = Array.from({ length: SKUS }, (_, index) => uniqueSku(`gw${index}`));
    for (const sku of skus) await client.addProduct(sku, 100, 1_000_000);
    const customerId = await client.customerId();
    let next = 0;
    const order: Partial<autocannon.Options> = {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.tokens.customer ?? ''}` },
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ customerId, lines: [{ sku: skus[next++ % skus.length], quantity: 1 }], cardToken: 'tok_ok' }),
          }),
        },
      ],
    };
    console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s a run`);
    const helloWorld = await measure({ url: hello.url });
    console.log(`fastify hello-world: ${helloWorld.perSecond.toFixed(0)} requests/s`);
    const proxiedHelloWorld = await measure({ url: bareProxy.url });
    console.log(`the hello-world through a bare @fastify/http-proxy: ${proxiedHelloWorld.perSecond.toFixed(0)} requests/s`);
    // What the hop itself costs, on a read that does little: before any order is placed.
    const priceViaGateway = await measure({ url: `${shop.gateway}/v1/prices/${skus[0]}` });
    const priceDirect = await measure({ url: `${shop.urls.orders}/v1/prices/${skus[0]}` });
    console.log(
      `GET /v1/prices/<sku>: ${priceViaGateway.perSecond.toFixed(0)} requests/s through the gateway, ${priceDirect.perSecond.toFixed(0)} straight to orders`,
    );
    const gateway = await measure({ url: `${shop.gateway}/v1/orders`, ...order });
    console.log(`POST /v1/orders through the gateway: ${gateway.perSecond.toFixed(0)} requests/s, ${gateway.failed} failed`);
    const direct = await measure({ url: `${shop.urls.orders}/v1/orders`, ...order });
    console.log(`POST /v1/orders to orders itself: ${direct.perSecond.toFixed(0)} requests/s, ${direct.failed} failed`);
    const rows: BenchRow[] = [
      { label: 'POST /v1/orders via gateway vs fastify hello-world', unit: 'req/s', value: gateway.perSecond, baseline: helloWorld.perSecond, target: 0.25 },
      { label: 'POST /v1/orders direct vs fastify hello-world', unit: 'req/s', value: direct.perSecond, baseline: helloWorld.perSecond },
      { label: 'via gateway vs direct', unit: 'req/s', value: gateway.perSecond, baseline: direct.perSecond },
      { label: 'via gateway p50 vs direct p50', unit: 'ms', value: gateway.p50, baseline: direct.p50 },
      { label: 'via gateway p99 vs direct p99', unit: 'ms', value: gateway.p99, baseline: direct.p99 },
      { label: 'GET /v1/prices/<sku> via gateway vs direct', unit: 'req/s', value: priceViaGateway.perSecond, baseline: priceDirect.perSecond },
      { label: 'GET /v1/prices/<sku> via gateway p99 vs direct p99', unit: 'ms', value: priceViaGateway.p99, baseline: priceDirect.p99 },
      { label: 'hello-world p99', unit: 'ms', value: helloWorld.p99 },
      {
        label: 'hello-world through a bare @fastify/http-proxy vs hello-world',
        unit: 'req/s',
        value: proxiedHelloWorld.perSecond,
        baseline: helloWorld.perSecond,
      },
      { label: 'answers not 2xx, errors, timeouts via gateway', unit: 'count', value: gateway.failed },
      { label: 'answers not 2xx, errors, timeouts direct', unit: 'count', value: direct.failed },
      { label: 'answers not 2xx, errors, timeouts, GET via gateway', unit: 'count', value: priceViaGateway.failed },
    ];
    printTable(`== gateway: HTTP commands through the gateway (local mode, ${CONNECTIONS} connections, ${SECONDS} s each)`, rows);
  } finally {
    await shop.stop();
    await shop.dropDatabases();
    await stopBroker({ port: BROKER_PORT });
    hello.child.kill();
    bareProxy.child.kill();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
