// `npm run start:local`: each service its own process on PostgreSQL and Kafka, under a
// small supervisor (concurrently) that prefixes each service's log lines, restarts a
// service that crashes, and stops them all on Ctrl-C (docs/architecture.md, "The three ways it runs").
// Each service gets a PostgreSQL role and database of its own, made here on first start.
// `--production` runs each service's build instead of its sources; `--replicas orders=2,...`
// runs more than one process of a service (docs/running.md).
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { concurrently } from 'concurrently';
import { Kafka, logLevel } from 'kafkajs';
import { localTokens, topicsOf } from '@ordo/host';
import { startBroker } from '@ordo/kafka-local';
import { describeProvisioning, provisionTopics } from '@ordo/messaging';
import { connectionShare, readServerConnections } from './connection-budget';
import { provisionServiceDatabases } from './databases';
import { placeOrderCurl, seedShop } from './seed';
import { saveLocalProcesses } from './local-processes';
import { parseReplicas, serviceProcesses, urlsByService } from './replicas';
import { gatewayEnvironment, serviceEnvironment } from './service-env';
import { GATEWAY, packageFolderOf, portOf, SHOP_TOPIC_PARTITIONS, shopServices } from './shop';

const ROOT = path.resolve(__dirname, '../../..');
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const say = (line: string) => console.log(`[supervisor] ${line}`);
const LOCAL_SUBJECTS = [
  { subject: 'operator', role: 'operator' },
  { subject: 'customer', role: 'customer' },
  // What the services call each other with (orders asking customers).
  { subject: 'service', role: 'viewer' },
] as const;

/** Every topic up front, so no relay sends to a command topic its consumer has not created yet. */
const provisionShopTopics = async (brokers: string[]) => {
  const admin = new Kafka({ clientId: 'ordo-supervisor', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const line of describeProvisioning(await provisionTopics(admin, topicsOf(shopServices, SHOP_TOPIC_PARTITIONS)))) say(line);
  } finally {
    await admin.disconnect();
  }
};

const waitUntilReady = async (url: string, timeoutMs = 120_000) => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    const ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
  }
  throw new Error(`${url} did not become ready`);
};

const options = new Command('start:local')
  .description('Every service of the shop as its own process on PostgreSQL and Kafka, behind the gateway (docs/running.md)')
  .option('--production', 'run each service from its production build (run npm run build first), as its container does')
  .option(
    '--replicas <service=count,...>',
    'run more than one process of a service, e.g. orders=2,sagas=2: the gateway and the services that call one take turns between them',
    parseReplicas(shopServices.map((service) => service.name)),
    new Map<string, number>(),
  )
  .parse()
  .opts<{ production?: boolean; replicas: ReadonlyMap<string, number> }>();

/** A service's production entry; refuses a missing build before anything starts. */
const productionEntryOf = (name: string): string => {
  const entry = path.join(packageFolderOf(name), 'dist', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`no production build of ${name} (${path.relative(ROOT, entry)}): run npm run build first`);
  return entry;
};

const main = async () => {
  // Before anything starts: every build is there.
  if (options.production) for (const name of [...shopServices.map((service) => service.name), GATEWAY]) productionEntryOf(name);
  const basePort = Number(process.env.PORT ?? 3000);
  const databaseUrl = process.env.DATABASE_URL ?? LOCAL_POSTGRES;
  const databasePrefix = process.env.ORDO_DATABASE_PREFIX ?? '';
  if (process.env.ORDO_SCHEMA_PREFIX) say('ORDO_SCHEMA_PREFIX is no longer read: services have databases of their own now, named with ORDO_DATABASE_PREFIX');
  const dataDir = process.env.ORDO_DATA_DIR ?? '.ordo';
  // Set but empty counts as unset, as for every service's variables.
  const brokers = process.env.KAFKA_BROKERS ? process.env.KAFKA_BROKERS.split(',') : (await startBroker({ log: say })).brokers;
  // Every service refuses to start without tokens: these are made once and kept under
  // ORDO_DATA_DIR; AUTH_TOKENS, if set, adds more.
  const local = localTokens(dataDir, LOCAL_SUBJECTS);
  const authTokens = [local.authTokens, process.env.AUTH_TOKENS].filter(Boolean).join(',');
  await provisionShopTopics(brokers);
  // DATABASE_URL is the administrator's: it makes (once) and hands out each service's own
  // role and database, and no service is given it.
  const provisioned = await provisionServiceDatabases(databaseUrl, shopServices, databasePrefix, dataDir).catch((error: unknown) => {
    const user = new URL(databaseUrl).username || 'the default user';
    throw new Error(
      `could not provision each service's role and database as ${user} (DATABASE_URL must be a superuser, or have CREATEROLE and CREATEDB): ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  for (const change of provisioned.changes) say(`database: ${change}`);
  if (provisioned.changes.length === 0) say(`databases: every service's role and database are in place`);
  const databaseOf = new Map(provisioned.databases.map((database) => [database.service, database.url]));

  // Extra node flags for every service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (NODE_OPTIONS refuses those).
  const nodeArgs = process.env.ORDO_SERVICE_NODE_ARGS ?? '';
  const processes = serviceProcesses(
    shopServices.map((service) => service.name),
    options.replicas,
    (name) => portOf(name, basePort),
  );
  saveLocalProcesses(dataDir, processes);
  const services = processes.filter((instance) => instance.replica === 1);
  const server = await readServerConnections(databaseUrl);
  const connections = connectionShare(server, processes.length);
  say(`PostgreSQL connections: ${connections} for each of ${processes.length} processes (max_connections ${server.max}, ${server.inUse} in use)`);
  const gatewayUrl = `http://127.0.0.1:${basePort}`;
  const wiring = {
    urls: urlsByService(processes),
    brokers,
    authTokens,
    serviceToken: local.tokens.service ?? '',
  };
  // `exec`: the shell concurrently starts each command through becomes the service, so
  // the signals concurrently forwards on Ctrl-C reach it.
  const serve = (name: string) =>
    options.production
      ? `exec "${process.execPath}" ${nodeArgs} --conditions=production ${productionEntryOf(name)}`
      : `exec "${process.execPath}" ${nodeArgs} --import tsx infra/cli/src/serve.ts ${name}`;
  const { result, commands } = concurrently(
    [
      ...processes.map((instance) => ({
        name: instance.name,
        command: serve(instance.service),
        cwd: ROOT,
        env: {
          ...serviceEnvironment(instance.service, instance.port, databaseOf.get(instance.service) as string, wiring),
          DATABASE_CONNECTIONS: String(connections),
        },
      })),
      { name: GATEWAY, command: serve(GATEWAY), cwd: ROOT, env: gatewayEnvironment(basePort, wiring) },
    ],
    { prefix: 'name', padPrefix: true, restartTries: -1, restartDelay: 1000, handleInput: false, killOthersOn: [] },
  );

  // A signal stops every service (concurrently sends it on). But concurrently restarts a
  // crashing service even after a signal, and its result waits for a failing service's
  // last restart, which never comes: a crash loop kept the supervisor running. So a
  // restart after a signal is stopped as it starts, and the supervisor exits once no
  // service runs.
  let stopSignal: NodeJS.Signals | undefined;
  /** What the supervisor exits with once no service runs after a stop: 1 when it stopped them because they failed to start. */
  let stopCode = 0;
  let onAllStopped = () => undefined as void;
  const allStopped = new Promise<number>((resolve) => (onAllStopped = () => resolve(stopCode)));
  const checkStopped = () => {
    if (stopSignal && commands.every((command) => command.state !== 'started')) onAllStopped();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      stopSignal ??= signal;
      checkStopped();
    });
  for (const command of commands)
    command.stateChange.subscribe((state) => {
      if (state === 'started' && stopSignal) command.kill(stopSignal);
      else checkStopped();
    });
  // Settles once every service has stopped: after a signal, or when each exits by itself (1 if one failed).
  const finished = Promise.race([
    result.then(
      () => 0,
      () => 1,
    ),
    allStopped,
  ]);
  // A signal while the services start ends the wait; services not ready in time are all stopped.
  const ready = Promise.all([...processes.map((instance) => waitUntilReady(instance.url)), waitUntilReady(gatewayUrl)]).then(
    () => 'ready' as const,
    (error: unknown) => {
      say(`stopping every service: ${error instanceof Error ? error.message : String(error)}`);
      stopCode = 1;
      stopSignal ??= 'SIGTERM';
      for (const command of commands) command.kill(stopSignal);
      checkStopped();
      return allStopped;
    },
  );
  const started = await Promise.race([ready, finished]);
  if (started !== 'ready') process.exit(Math.max(started, stopCode));
  const urls = Object.fromEntries(services.map((service) => [service.name, service.url]));
  const { seeded, customerId } = await seedShop(
    {
      catalog: urls.catalog ?? '',
      inventory: urls.inventory ?? '',
      orders: urls.orders ?? '',
      customers: urls.customers ?? '',
      inventoryView: urls['inventory-view'] ?? '',
    },
    { operator: local.tokens.operator as string, customer: local.tokens.customer },
  );
  say(seeded ? 'seeded a small catalog, its stock and a demo customer' : 'catalog and stock already there');
  say(`running: ${processes.map((instance) => `${instance.name} ${instance.url}`).join(', ')}`);
  say(`the gateway, every service's public routes on one port: ${gatewayUrl} (API docs at ${gatewayUrl}/docs)`);
  say(`Place an order as the customer:\n    ${placeOrderCurl(gatewayUrl, customerId, local.tokens.customer)}`);
  say(
    `Then read it from the orders view: curl -s ${gatewayUrl}/v1/orders/<orderId> -H 'read-after: <the etag the placement answered with>'${local.tokens.customer ? ` -H 'authorization: Bearer ${local.tokens.customer}'` : ''}`,
  );
  say(`Saga dashboard: ${gatewayUrl}/dashboard (log in with the operator token, kept in ${local.file})`);
  say(`Tokens (operator and customer) are kept in ${local.file}.`);
  say(`Ctrl-C stops the services; the Kafka broker keeps running (npm run kafka:stop).`);

  process.exit(await finished);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
