// Order placement under load, in embedded and in local mode, on each flow (version 1's
// two steps and the default version 3's five, in the same run): an open-loop generator
// places orders at fixed rates (each order's latency counts from when it was due to be
// sent, so a slow shop cannot hide behind a generator that waits: no coordinated
// omission) and measures the time from POST to confirmed (the OrderConfirmed event's
// time in the orders store). Reports the highest rate whose p99 stays under 500 ms, each
// process's peak memory and CPU milliseconds per order, the PostgreSQL transactions per
// order in local mode (every service's database), a CPU profile summary of where the
// time goes, and the read models' projection lag (p99) while each rate runs.
//
// Two scenarios: orders spread over 20 skus, and a flash sale, where every order names the
// same two (every reservation then lands on one of two streams).
//
//   npm run bench -- saga
//   BENCH_RATES=25,50,100,200  BENCH_SECONDS=10  BENCH_WARMUP_SECONDS=10 (at 10/s, not measured)
//   BENCH_MODES=embedded,local,raw  BENCH_FLOWS=two-step,five-step
//   (raw: local mode's baseline, the five-step flow's hops on a raw Kafka client and pg
//   with nothing of Ordo, at the same rates: ./raw-hops.ts; it runs with the five-step flow)
//   BENCH_SCENARIOS=spread,flash-sale
//   BENCH_PROFILE_INTERVAL_US=10000 (0: no profile)  BENCH_LAG_POLL_MS=1000 (0: no lag poll)
//   BENCH_KAFKA_CLIENTS=kafkajs,platformatic: local mode and the raw hops once on each Kafka
//   client (local mode's services' KAFKA_CLIENT: the relays and consumer groups), in the
//   same run; default kafkajs
//   BENCH_BUILD=production|sources: local mode's services from the production build (npm
//   run build, run first; as npm run start:local -- --production and the containers run
//   them) or from the TypeScript sources through tsx (as npm run start:local)
//   BENCH_COUNT_REQUESTS=1: local mode's Kafka requests (by API) and SQL statements per
//   order, each service's, over the window its CPU is counted in (./request-counts.ts)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startBroker, stopBroker } from '@ordo/kafka-local';
import { APPEND_GROUPING, createEventStore } from '@ordo/eventstore';
import { CHUNK_SIZES, KAFKA_CLIENTS, RELAY_DEFAULTS, type KafkaClientName } from '@ordo/messaging';
import { describeRun, percentile, printChart, recordFigures, slope } from '@ordo/testing/bench';
import { SERVICE_PACKAGES, SHOP_TOPIC_PARTITIONS, packageFolderOf } from '../src/shop';
import { launchEmbedded, launchLocal, type LaunchedShop } from '../test/launch';
import { shopClient, uniqueSku, type ShopClient } from '../test/shop-client';
import { printProfile, summariseProfiles } from './cpu-profile';
import { cpuMsOf, mainThreadCpuMsOf, postgresCpuMs } from './process-cpu';
import { printRequestsPerOrder, requestCounting, requestsPerOrder, type RequestsPerOrder } from './request-counts';
import { startRawHops } from './raw-hops';
import { orderTimeline, printOrderTimeline } from './order-timeline';
import { sampleProjectionLag, type ProjectionLag } from './projection-lag';

const RATES = (process.env.BENCH_RATES ?? '25,50,75,100,150,200').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Orders at WARMUP_RATE before the measured rates, not counted: the first seconds of a cold process (the JIT) say nothing of its steady state. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
const WARMUP_RATE = 10;
const MODES = (process.env.BENCH_MODES ?? 'embedded,local,raw').split(',');
for (const mode of MODES)
  if (!['embedded', 'local', 'raw'].includes(mode)) throw new Error(`BENCH_MODES: no mode '${mode}': the modes are embedded, local, raw`);
/** The Kafka clients local mode runs on, one run each (embedded mode has no Kafka). */
const KAFKA_CLIENTS_RUN = (process.env.BENCH_KAFKA_CLIENTS ?? 'kafkajs').split(',') as KafkaClientName[];
for (const client of KAFKA_CLIENTS_RUN)
  if (!KAFKA_CLIENTS.includes(client)) throw new Error(`BENCH_KAFKA_CLIENTS: no client '${client}': the clients are ${KAFKA_CLIENTS.join(', ')}`);
/** A mode as the results name it: local mode with its client when the run compares clients. */
const modeRuns: { mode: string; client?: KafkaClientName; label: string }[] = MODES.flatMap((mode) =>
  mode === 'local' || mode === 'raw'
    ? KAFKA_CLIENTS_RUN.map((client) => ({ mode, client, label: KAFKA_CLIENTS_RUN.length > 1 ? `${mode}/${client}` : mode }))
    : [{ mode, label: mode }],
);
/** Each flow is a version of order placement (ORDO_ORDER_PLACEMENT_VERSION), run on a shop of its own. */
const FLOW_VERSIONS: Record<string, string> = { 'two-step': '1', 'five-step': '3' };
const FLOWS = (process.env.BENCH_FLOWS ?? 'two-step,five-step').split(',');
for (const flow of FLOWS) if (!FLOW_VERSIONS[flow]) throw new Error(`BENCH_FLOWS: no flow '${flow}': the flows are ${Object.keys(FLOW_VERSIONS).join(', ')}`);
/** How many skus the orders of each scenario spread over (two lines an order, each a different sku). */
const SCENARIO_SKUS: Record<string, number> = { spread: 20, 'flash-sale': 2 };
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'spread,flash-sale').split(',');
for (const scenario of SCENARIOS)
  if (!SCENARIO_SKUS[scenario]) throw new Error(`BENCH_SCENARIOS: no scenario '${scenario}': the scenarios are ${Object.keys(SCENARIO_SKUS).join(', ')}`);
/** The simulated provider's approved test card: versions 2 and 3 authorize and capture with it, version 1 ignores it. */
const CARD_TOKEN = 'tok_ok';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKER_PORT = 19_492;
/** The p99 a rate must keep, from POST to confirmed, as the performance targets set it. */
const SLO_MS = 500;
/** How often the CPU profiler samples each process, in µs; 0 runs without it. */
const PROFILE_INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 10_000);
/** Local mode's Kafka requests and SQL statements per order, each service's. */
const COUNT_REQUESTS = process.env.BENCH_COUNT_REQUESTS === '1';
/**
 * What local mode's services run: the production build, as a deployment does, or their
 * sources through tsx. The same CPU per order either way; tsx holds about 40 MB more a
 * process (docs/decisions.md, "The saga benchmark runs local mode from the production build").
 */
const BUILDS = ['production', 'sources'];
const BUILD = process.env.BENCH_BUILD ?? 'production';
if (!BUILDS.includes(BUILD)) throw new Error(`BENCH_BUILD: no build '${BUILD}': the builds are ${BUILDS.join(', ')}`);

interface Step {
  rate: number;
  sent: number;
  failed: number;
  confirmed: number;
  p50: number;
  p95: number;
  p99: number;
  /** The read models' projection lag while this rate's orders ran. */
  lag: ProjectionLag[];
}

/** One rate's orders as sent: each accepted order's due time. */
interface Sent {
  rate: number;
  due: Map<string, number>;
  failed: number;
  sent: number;
  lag: ProjectionLag[];
}

/**
 * Places `rate` orders a second for `seconds`, never waiting for answers; returns each
 * accepted order's due time. `place` sends the i-th order and answers its id, or undefined
 * when it was refused.
 */
const openLoop = async (place: (i: number) => Promise<string | undefined>, rate: number, seconds = SECONDS) => {
  const due = new Map<string, number>();
  const answered: number[] = [];
  const sends: Promise<void>[] = [];
  let failed = 0;
  const start = Date.now() + 100;
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const at = start + (i * 1000) / rate;
    const wait = at - Date.now();
    if (wait > 1) await sleep(wait);
    sends.push(
      place(i).then(
        (orderId) => {
          answered.push(Date.now() - at);
          if (orderId === undefined) failed++;
          else due.set(orderId, at);
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(sends);
  answered.sort((a, b) => a - b);
  return { due, failed, sent: total, answeredP50: percentile(answered, 0.5) };
};

/** The shop's orders: two lines each, over the scenario's skus. */
const shopOrders =
  (shop: ShopClient, skus: string[]) =>
  async (i: number): Promise<string | undefined> => {
    const lines = [
      { sku: skus[i % skus.length] as string, quantity: 1 },
      { sku: skus[(i + 1) % skus.length] as string, quantity: 1 },
    ];
    const response = await shop.placeOrderOnce(lines, undefined, CARD_TOKEN);
    return response.status === 201 ? ((await response.json()) as { orderId: string }).orderId : undefined;
  };

/** Waits until each order has settled (or 5 minutes passed): the next rate starts on a quiet shop. */
const settled = async (shop: ShopClient, due: Map<string, number>) => {
  for (const orderId of due.keys()) await shop.settled(orderId, 300_000).catch(() => undefined);
};

/** Confirmation times from the orders store: the OrderConfirmed event of each order. */
const confirmationTimes = async (storeUrl: string, schema: string) => {
  const store = await createEventStore(storeUrl, { schema });
  const times = new Map<string, number>();
  for await (const event of store.readAll({ filter: { eventTypes: ['OrderConfirmed'] } })) {
    times.set((event.data as { orderId: string }).orderId, event.recordedAt.getTime());
  }
  await store.close();
  return times;
};

/** What local mode's databases have done so far: transactions ended and connections opened. */
type DatabaseActivity = { transactions: number; connections: number };

/**
 * Transactions ended (committed or rolled back) and connections opened so far in local
 * mode's databases, those named with the run's prefix. A backend reports its counts when
 * it goes idle or ends, so the last reading is taken once the shop has stopped.
 */
const databaseActivity = async (databasePrefix: string): Promise<DatabaseActivity> => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ transactions: string; connections: string }>(
      `select coalesce(sum(xact_commit + xact_rollback), 0)::text as transactions, coalesce(sum(sessions), 0)::text as connections
         from pg_stat_database where datname like $1`,
      [`${databasePrefix}%`],
    );
    return { transactions: Number(rows[0]?.transactions ?? 0), connections: Number(rows[0]?.connections ?? 0) };
  } finally {
    await client.end();
  }
};

/** Transactions per order, and connections opened, between two readings of databaseActivity. */
const databaseFigures = (before: DatabaseActivity, after: DatabaseActivity, orders: number) => ({
  transactionsPerOrder: (after.transactions - before.transactions) / Math.max(orders, 1),
  connectionsOpened: after.connections - before.connections,
});

/** A production entry's service: `<package folder>/dist/main.js` -> its name in the shop. */
const serviceOfEntry = new Map(Object.keys(SERVICE_PACKAGES).map((name) => [path.join(packageFolderOf(name), 'dist', 'main.js'), name]));

/** The shop's processes by name (a service, or the process that hosts them), and the broker's. */
const shopProcesses = (shop: LaunchedShop, brokerPid: number | undefined) => [
  ...shop.processes().flatMap(({ pid, command }) => {
    // The shell concurrently starts each service through, and tsx's esbuild helper, are left out.
    if (command.startsWith('/bin/sh')) return [];
    const name =
      /serve\.ts (\S+)/.exec(command)?.[1] ??
      serviceOfEntry.get(/(\S+\/dist\/main\.js)\s*$/.exec(command)?.[1] ?? '') ??
      /infra\/cli\/src\/(\w+)/.exec(command)?.[1];
    return name ? [{ pid, name }] : [];
  }),
  ...(brokerPid === undefined ? [] : [{ pid: brokerPid, name: 'kafka broker' }]),
];

/** Resident memory's growth, MB a minute. */
interface Growth {
  whole: number;
  lastHalf: number;
}

interface ProcessFigures {
  name: string;
  /** Peak resident memory (VmHWM). */
  mb: number;
  /** Resident memory's growth while the rates ran (least squares over a sample a second), MB a minute. */
  mbPerMinute?: number;
  /** The same over the last half of that time: a heap warming up grows at first and then flattens, a leak does not. */
  mbPerMinuteLastHalf?: number;
  /** CPU time from the first order sent to the last settled, per order sent. */
  cpuMsPerOrder: number;
  /** The same, of its main thread alone: at 1,000 ms / this orders a second, that thread is saturated. */
  mainThreadMsPerOrder?: number;
}

const statusMb = (pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined => {
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined; // gone
  }
};

/** Each process's resident memory, a sample a second until stopped; then its growth in MB a minute, over all and over the last half. */
const sampleMemory = (processes: { pid: number }[]) => {
  const started = Date.now();
  const samples = new Map<number, { x: number; y: number }[]>(processes.map(({ pid }) => [pid, []]));
  const take = () => {
    for (const [pid, points] of samples) {
      const mb = statusMb(pid, 'VmRSS');
      if (mb !== undefined) points.push({ x: (Date.now() - started) / 60_000, y: mb });
    }
  };
  take();
  const timer = setInterval(take, 1_000);
  return {
    stop: (): Map<number, Growth> => {
      clearInterval(timer);
      take();
      const halfway = (Date.now() - started) / 60_000 / 2;
      return new Map([...samples].map(([pid, points]) => [pid, { whole: slope(points), lastHalf: slope(points.filter(({ x }) => x >= halfway)) }]));
    },
  };
};

/**
 * Starts measuring the processes (and the PostgreSQL server's CPU, with `postgres`);
 * `stop(orders)` answers each one's peak memory and growth, and its CPU time since per order.
 */
const measureProcesses = (processes: { pid: number; name: string }[], { postgres }: { postgres: boolean }) => {
  const cpuBefore = new Map(processes.map(({ pid }) => [pid, { all: cpuMsOf(pid), main: mainThreadCpuMsOf(pid) }]));
  // A backend that ends during the run takes its time with it.
  const postgresBefore = postgres ? postgresCpuMs() : 0;
  const memory = sampleMemory(processes);
  return {
    stop: (orders: number): ProcessFigures[] => {
      const growth = memory.stop();
      const perOrder = (ms: number) => ms / Math.max(orders, 1);
      const figures: ProcessFigures[] = processes.map(({ pid, name }) => ({
        name,
        mb: statusMb(pid, 'VmHWM') ?? 0,
        mbPerMinute: growth.get(pid)?.whole ?? 0,
        mbPerMinuteLastHalf: growth.get(pid)?.lastHalf ?? 0,
        cpuMsPerOrder: perOrder(cpuMsOf(pid) - (cpuBefore.get(pid)?.all ?? 0)),
        mainThreadMsPerOrder: perOrder(mainThreadCpuMsOf(pid) - (cpuBefore.get(pid)?.main ?? 0)),
      }));
      if (postgres) figures.push({ name: 'postgresql server', mb: 0, cpuMsPerOrder: perOrder(postgresCpuMs() - postgresBefore) });
      return figures;
    },
  };
};

const runMode = async ({ mode, client, label }: (typeof modeRuns)[number], flow: string, scenario: string) => {
  const version = { ORDO_ORDER_PLACEMENT_VERSION: FLOW_VERSIONS[flow] as string };
  const profiles = fs.mkdtempSync(path.join(os.tmpdir(), `ordo-saga-prof-${mode}-`));
  // Sampling every PROFILE_INTERVAL_US: node's default (1 ms) costs an idle service a few ms of CPU per order here.
  const profiling = PROFILE_INTERVAL_US > 0 ? [`--cpu-prof`, `--cpu-prof-dir=${profiles}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`] : [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-saga-bench-'));
  const databasePrefix = `bench_saga_${randomBytes(3).toString('hex')}_`;
  let storeUrl = `pglite://${path.join(dataDir, 'pglite')}`;
  // A context's store: embedded mode's one PGlite (a schema each), or its own database in local mode.
  let storeOf: (context: string) => string = () => storeUrl;
  let shop: LaunchedShop;
  let brokerPid: number | undefined;
  const counting = mode === 'local' && COUNT_REQUESTS ? requestCounting() : undefined;
  // Local mode: drops the databases and roles its supervisor made, once the confirmations and the timeline are read.
  let dropDatabases: () => Promise<void> = async () => undefined;
  if (mode === 'embedded') shop = await launchEmbedded(dataDir, version, profiling);
  else {
    const broker = await startBroker({ port: BROKER_PORT, fresh: true, heap: '1g' });
    brokerPid = broker.pid;
    const local = await launchLocal({
      basePort: 23_000,
      databaseUrl: DATABASE_URL,
      databasePrefix,
      kafkaBrokers: broker.brokers,
      args: BUILD === 'production' ? ['--production'] : [],
      env: {
        ORDO_SERVICE_NODE_ARGS: [...profiling, ...(counting?.nodeArgs ?? [])].join(' '),
        ...counting?.env,
        ...version,
        ...(client && { KAFKA_CLIENT: client }),
      },
    });
    shop = local;
    // Orders' own database, as its own role; the schema inside it is still `orders`.
    storeUrl = local.databases.orders as string;
    storeOf = (context) => local.databases[context] as string;
    dropDatabases = local.dropDatabases;
  }
  const sent: Sent[] = [];
  let processes: ProcessFigures[] = [];
  let orders = 0;
  let activityBefore: DatabaseActivity = { transactions: 0, connections: 0 };
  let requests: RequestsPerOrder[] | undefined;
  try {
    const client = shopClient(shop.urls, shop.tokens);
    const skus = Array.from({ length: SCENARIO_SKUS[scenario] as number }, (_, i) => uniqueSku(`bench${i}`));
    for (const sku of skus) await client.addProduct(sku, 100, 1_000_000);
    if (WARMUP_SECONDS > 0) {
      await settled(client, (await openLoop(shopOrders(client, skus), WARMUP_RATE, WARMUP_SECONDS)).due);
    }
    // CPU is counted from here: the orders' work, not the start-up's, the seeding's or the warm-up's.
    // Local mode's PostgreSQL server too.
    const measuredProcesses = shopProcesses(shop, brokerPid);
    const measured = measureProcesses(measuredProcesses, { postgres: mode === 'local' });
    if (mode === 'local') activityBefore = await databaseActivity(databasePrefix);
    const countsBefore = await counting?.read(measuredProcesses);
    for (const rate of RATES) {
      const lagSampler = sampleProjectionLag([shop.urls.ordersView, shop.urls.inventoryView], shop.tokens.operator);
      const step = await openLoop(shopOrders(client, skus), rate);
      // Let this rate's orders finish before the next rate starts.
      await settled(client, step.due);
      sent.push({ rate, ...step, lag: await lagSampler.stop() });
      console.log(`${label}: ${rate}/s sent ${step.sent}, accepted ${step.due.size}; POST answered in ${step.answeredP50.toFixed(0)} ms (p50)`);
      const tooSlow = Date.now() - Math.max(...step.due.values()) > 30_000;
      if (tooSlow) break;
    }
    orders = sent.reduce((count, step) => count + step.sent, 0);
    processes = measured.stop(orders);
    if (counting) {
      const countsAfter = await counting.read(measuredProcesses);
      // A process counts only with both readings (one restarted meanwhile has neither), and only if it sent anything.
      requests = measuredProcesses
        .flatMap(({ pid, name }) => {
          const [before, after] = [countsBefore?.get(pid), countsAfter.get(pid)];
          return before && after ? [requestsPerOrder(name, before, after, orders)] : [];
        })
        .filter(({ kafkaTotal, sqlTotal }) => kafkaTotal > 0 || sqlTotal > 0);
    }
  } finally {
    counting?.remove();
    await shop.stop();
    if (mode === 'local') await stopBroker({ port: BROKER_PORT });
  }
  // PostgreSQL's figures: local mode's only (embedded mode's PGlite is inside its process).
  const database = mode === 'local' ? databaseFigures(activityBefore, await databaseActivity(databasePrefix), orders) : undefined;

  const readStores = async () => ({
    confirmed: await confirmationTimes(storeUrl, 'orders'),
    timeline: await orderTimeline(
      storeOf,
      sent.map(({ due }) => due),
    ),
  });
  const { confirmed, timeline } = await readStores().finally(dropDatabases);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { mode: label, steps: stepsOf(sent, confirmed), processes, ...database, requests, timeline, profile: summariseProfiles(profiles) };
};

/** Each rate's latencies, from when each order was due to when it was confirmed. */
const stepsOf = (sent: Sent[], confirmed: Map<string, number>): Step[] =>
  sent.map(({ rate, due, failed, sent: count, lag }) => {
    const latencies = [...due].flatMap(([orderId, at]) => (confirmed.has(orderId) ? [(confirmed.get(orderId) as number) - at] : [])).sort((a, b) => a - b);
    return {
      rate,
      sent: count,
      failed,
      confirmed: latencies.length,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      lag,
    };
  });

/** Waits until every order of `due` has a confirmation, or `timeoutMs` passed. */
const confirmedAll = async (due: Map<string, number>, confirmations: Map<string, number>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while ([...due.keys()].some((orderId) => !confirmations.has(orderId)) && Date.now() < deadline) await sleep(100);
};

/**
 * The raw hops (./raw-hops.ts): the five-step flow's hops with nothing of Ordo, on a broker
 * and in a database of their own, at the same rates: what local mode is not expected to
 * exceed on this machine. CPU counts their services, the broker and the PostgreSQL server.
 */
const runRaw = async (label: string, client: KafkaClientName) => {
  const database = `bench_saga_${randomBytes(3).toString('hex')}_raw`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const databaseUrl = Object.assign(new URL(DATABASE_URL), { pathname: `/${database}` }).toString();
  const broker = await startBroker({ port: BROKER_PORT, fresh: true, heap: '1g' });
  const sent: Sent[] = [];
  let processes: ProcessFigures[] = [];
  let orders = 0;
  let activityBefore: DatabaseActivity = { transactions: 0, connections: 0 };
  let figures: ReturnType<typeof databaseFigures> | undefined;
  let confirmations = new Map<string, number>();
  try {
    const hops = await startRawHops({ brokers: broker.brokers, databaseUrl, partitions: SHOP_TOPIC_PARTITIONS, run: database, client });
    confirmations = hops.confirmations;
    try {
      if (WARMUP_SECONDS > 0) await confirmedAll((await openLoop(hops.place, WARMUP_RATE, WARMUP_SECONDS)).due, confirmations);
      const measured = measureProcesses([...hops.services, { pid: broker.pid, name: 'kafka broker' }], { postgres: true });
      activityBefore = await databaseActivity(database);
      for (const rate of RATES) {
        const step = await openLoop(hops.place, rate);
        await confirmedAll(step.due, confirmations);
        sent.push({ rate, ...step, lag: [] });
        console.log(`${label}: ${rate}/s sent ${step.sent}, accepted ${step.due.size}; placed in ${step.answeredP50.toFixed(0)} ms (p50)`);
      }
      orders = sent.reduce((count, step) => count + step.sent, 0);
      processes = measured.stop(orders);
    } finally {
      await hops.stop();
    }
  } finally {
    await stopBroker({ port: BROKER_PORT });
    figures = databaseFigures(activityBefore, await databaseActivity(database), orders);
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
  return { mode: label, steps: stepsOf(sent, confirmations), processes, ...figures, requests: undefined, timeline: [], profile: undefined };
};

/**
 * POST to confirmed over the rates. The SLO's line is drawn once p99 comes within half of
 * it: where p99 crosses it is then the chart's story; below that it would only flatten the lines.
 */
const printLatencyChart = (title: string, steps: readonly Step[]) => {
  const nearSlo = steps.some(({ p99 }) => p99 >= SLO_MS / 2);
  printChart(
    `${title}: POST to confirmed (ms) by rate, SLO p99 < ${SLO_MS} ms`,
    [
      { name: 'p50', values: steps.map(({ p50 }) => p50) },
      { name: 'p99', values: steps.map(({ p99 }) => p99) },
      ...(nearSlo ? [{ name: 'SLO', values: steps.map(() => SLO_MS) }] : []),
    ],
    steps.map(({ rate }) => `${rate}/s`),
  );
};

/** The highest rate every order of which was accepted and confirmed, at p99 under the SLO. */
const highestWithin = (steps: Step[]) => steps.filter((s) => s.failed === 0 && s.confirmed === s.sent && s.p99 < SLO_MS).at(-1);

const printResult = ({
  mode,
  flow,
  scenario,
  steps,
  processes,
  transactionsPerOrder,
  connectionsOpened,
  requests,
  timeline,
  profile,
}: Awaited<ReturnType<typeof runMode>> & { flow: string; scenario: string }) => {
  console.log(`\n== ${mode} mode, ${flow} flow, ${scenario}: POST to confirmed (ms)`);
  console.log('rate/s  sent  failed  confirmed     p50     p95     p99');
  for (const s of steps) {
    console.log(
      `${String(s.rate).padStart(6)} ${String(s.sent).padStart(5)} ${String(s.failed).padStart(7)} ${String(s.confirmed).padStart(10)} ${s.p50.toFixed(0).padStart(7)} ${s.p95.toFixed(0).padStart(7)} ${s.p99.toFixed(0).padStart(7)}`,
    );
  }
  const bestStep = highestWithin(steps);
  console.log(
    bestStep
      ? `highest rate with p99 < ${SLO_MS} ms: ${bestStep.rate}/s (p50 ${bestStep.p50.toFixed(0)}, p95 ${bestStep.p95.toFixed(0)}, p99 ${bestStep.p99.toFixed(0)} ms)`
      : `no rate kept p99 under ${SLO_MS} ms`,
  );
  // The raw hops have no read models to poll.
  if (steps.some(({ lag }) => lag.length > 0))
    console.log(
      'projection lag while each rate ran (GET /v1/projections, polled)\nrate/s  projection        samples  events behind p99  seconds behind p99  max',
    );
  for (const s of steps)
    for (const lag of s.lag)
      console.log(
        `${String(s.rate).padStart(6)}  ${lag.projection.padEnd(16)} ${String(lag.samples).padStart(8)} ${lag.eventsP99.toFixed(0).padStart(18)} ${lag.secondsP99.toFixed(2).padStart(19)} ${lag.secondsMax.toFixed(2).padStart(5)}`,
      );
  console.log(
    'process                          peak memory (VmHWM)  growth while the rates ran  of it, last half   CPU per order (from the first order to the last settled)   of it, main thread',
  );
  const perMinute = (mb: number | undefined, width: number) => (mb === undefined ? '-'.padStart(width + 7) : `${mb.toFixed(1).padStart(width)} MB/min`);
  for (const { name, mb, mbPerMinute, mbPerMinuteLastHalf, cpuMsPerOrder, mainThreadMsPerOrder } of processes)
    console.log(
      `  ${name.padEnd(32)} ${mb > 0 ? `${mb.toFixed(0).padStart(6)} MB` : '-'.padStart(9)} ${perMinute(mbPerMinute, 14)} ${perMinute(mbPerMinuteLastHalf, 10)} ${cpuMsPerOrder.toFixed(1).padStart(18)} ms ${mainThreadMsPerOrder === undefined ? '' : `${mainThreadMsPerOrder.toFixed(1).padStart(50)} ms`}`,
    );
  const totalMs = processes.reduce((sum, { cpuMsPerOrder }) => sum + cpuMsPerOrder, 0);
  console.log(`  ${'all'.padEnd(32)} ${''.padStart(9)} ${totalMs.toFixed(1).padStart(18)} ms`);
  if (transactionsPerOrder !== undefined) console.log(`PostgreSQL transactions per order, every service's database: ${transactionsPerOrder.toFixed(1)}`);
  if (connectionsOpened !== undefined) console.log(`PostgreSQL connections opened while the rates ran: ${connectionsOpened}`);
  if (requests) printRequestsPerOrder(requests);
  printOrderTimeline(
    `${mode} mode, ${flow} flow, ${scenario}`,
    steps.map(({ rate }) => rate),
    timeline,
  );
  printProfile(`${mode} mode, ${flow} flow, ${scenario}: CPU profile`, profile);
};

const main = async () => {
  console.log(
    `node ${process.version}, ${os.cpus().length} cores; warm-up ${WARMUP_SECONDS} s at ${WARMUP_RATE}/s; rates ${RATES.join(', ')}/s for ${SECONDS} s each; 2 lines an order; flows ${FLOWS.join(', ')}; scenarios ${SCENARIOS.join(', ')}`,
  );
  if (MODES.includes('local')) console.log(`local mode runs its services from ${BUILD === 'production' ? 'the production build' : 'the sources, through tsx'}`);
  describeRun({
    rates: RATES,
    secondsPerRate: SECONDS,
    warmUp: { seconds: WARMUP_SECONDS, rate: WARMUP_RATE },
    modes: MODES,
    localModeKafkaClients: KAFKA_CLIENTS_RUN,
    flows: FLOWS,
    scenarios: Object.fromEntries(SCENARIOS.map((scenario) => [scenario, { skus: SCENARIO_SKUS[scenario] }])),
    sloMs: SLO_MS,
    localModeBuild: BUILD,
    profileIntervalUs: PROFILE_INTERVAL_US,
    topicPartitions: SHOP_TOPIC_PARTITIONS,
    relayBatch: RELAY_DEFAULTS,
    consumerChunk: CHUNK_SIZES,
    appendGrouping: APPEND_GROUPING,
  });
  if (MODES.includes('local') && BUILD === 'production') {
    const build = spawnSync('npm', ['run', 'build'], { cwd: path.resolve(__dirname, '../../..'), stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
  }
  const summary: string[] = [];
  const runs: unknown[] = [];
  for (const run of modeRuns) {
    const mode = run.label;
    for (const flow of FLOWS)
      for (const scenario of SCENARIOS) {
        // The raw hops are the five-step flow's, and name no skus: once, beside its first scenario.
        if (run.mode === 'raw' && (flow !== 'five-step' || scenario !== SCENARIOS[0])) continue;
        const result = run.mode === 'raw' ? await runRaw(run.label, run.client ?? 'kafkajs') : await runMode(run, flow, scenario);
        printResult({ ...result, flow, scenario });
        const best = highestWithin(result.steps);
        // One rate is a point, not a line: its figures are in the table above.
        if (result.steps.length > 1) printLatencyChart(`${mode} mode, ${flow} flow, ${scenario}`, result.steps);
        runs.push({ flow, scenario, highestRateWithinSlo: best?.rate ?? null, ...result });
        // Recorded after each: a run that fails later still leaves these in its results.
        recordFigures('runs', runs);
        const cpu = result.processes.reduce((sum, { cpuMsPerOrder }) => sum + cpuMsPerOrder, 0);
        // The worst view's p99 seconds behind at the highest rate within the SLO.
        const lagP99 = best && best.lag.length > 0 ? Math.max(...best.lag.map((lag) => lag.secondsP99)).toFixed(2) : '-';
        const transactions = result.transactionsPerOrder === undefined ? '-' : result.transactionsPerOrder.toFixed(1);
        // The fastest-growing process: a leak shows here first over a long run (BENCH_SECONDS=300).
        const growth = Math.max(...result.processes.map(({ mbPerMinute }) => mbPerMinute ?? 0));
        const growthLastHalf = Math.max(...result.processes.map(({ mbPerMinuteLastHalf }) => mbPerMinuteLastHalf ?? 0));
        summary.push(
          `${mode.padEnd(18)} ${flow.padEnd(10)} ${scenario.padEnd(11)} ${(best ? `${best.rate}/s` : 'none').padStart(8)} ${(best ? best.p99.toFixed(0) : '-').padStart(8)} ${cpu.toFixed(1).padStart(10)} ${lagP99.padStart(16)} ${transactions.padStart(16)} ${growth.toFixed(1).padStart(22)} ${growthLastHalf.toFixed(1).padStart(16)}`,
        );
      }
  }
  console.log(
    `\n== side by side (same run)\n${'mode'.padEnd(18)} flow       scenario     highest  p99 (ms)  CPU ms/order  view lag p99 (s)  PG xacts/order  most growth (MB/min)  of it, last half\n${summary.join('\n')}`,
  );
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
