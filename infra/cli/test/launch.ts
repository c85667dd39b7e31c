// Starts the shop the two ways a user does (`npm start`, `npm run start:local`) as real
// processes, and finds, kills and cleans up its processes by a marker in their environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { localTokens } from '@ordo/host';
import { dropServiceDatabases, serviceDatabases } from '../src/databases';
import { packageFolderOf, portOf, shopServices } from '../src/shop';
import { embeddedUrls, type ShopTokens, type ShopUrls } from './shop-client';

const ROOT = path.resolve(__dirname, '../../..');
/** The supervisor's line that lists every process it runs. */
const RUNNING = '[supervisor] running: ';

export interface LaunchedShop {
  urls: ShopUrls;
  /** The tokens the shop made on its first start (kept in its data folder). */
  tokens: ShopTokens;
  output: string[];
  /** SIGKILLs the process that runs the saga and waits until the saga answers again. */
  killSaga(): Promise<void>;
  /** The shop's live processes (the launched one and its children), by pid, with their command lines. */
  processes(): { pid: number; command: string }[];
  /** SIGINT (Ctrl-C), then a SIGKILL to whatever is left after 20 s; resolves to how many were left. */
  stop(): Promise<{ leftovers: number }>;
}

/** Processes whose environment carries this run's marker: the launched one and its children. */
const markedPids = (marker: string): number[] =>
  fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`ORDO_TEST_RUN=${marker}`) ? [Number(pid)] : [];
      } catch {
        return []; // gone, or not ours to read
      }
    });

const cmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

const run = (script: string, env: Record<string, string>, nodeArgs: string[] = [], scriptArgs: string[] = []) => {
  const marker = randomBytes(6).toString('hex');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...scriptArgs], {
    cwd: ROOT,
    // The tests and the benchmark are each one client polling hundreds of orders: the
    // per-client rate limit would throttle them, so it is raised here (and only here).
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000', ...env, ORDO_TEST_RUN: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lines = (child: ChildProcess) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => output.push(line));
    readline.createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  };
  lines(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitForLine = async (pattern: RegExp, timeoutMs = 180_000): Promise<RegExpExecArray> => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
      for (const line of output) {
        const match = pattern.exec(line);
        if (match) return match;
      }
      if (child.exitCode !== null || child.signalCode !== null) break;
    }
    throw new Error(`no line matching ${pattern} in the output:\n${output.slice(-60).join('\n')}`);
  };
  const stop = async () => {
    child.kill('SIGINT');
    // Unref'd: a pending 20 s timer would keep jest from exiting after the run.
    await Promise.race([exited, sleep(20_000, undefined, { ref: false })]);
    const leftovers = markedPids(marker);
    for (const pid of leftovers) process.kill(pid, 'SIGKILL');
    return { leftovers: leftovers.length };
  };
  return { child, marker, output, exited, waitForLine, stop };
};

/**
 * `npm start` as a bare process, for tests of how it starts and fails: its output, its
 * exit, and a wait for the line that says it runs (the URL) or for its exit code.
 */
export const startEmbeddedProcess = (dataDir: string, port: string | number = 0, extraEnv: Record<string, string> = {}) => {
  const started = run('infra/cli/src/embedded.ts', { ...extraEnv, PORT: String(port), ORDO_DATA_DIR: dataDir });
  return {
    child: started.child,
    output: started.output,
    /** Resolves to the shop's URL once it runs. */
    running: async () => (await started.waitForLine(/Ordo is running .* at (http:\/\/\S+)/))[1] as string,
    /** Resolves to the exit code once the process has exited. */
    exitCode: async () => {
      await started.exited;
      return started.child.exitCode;
    },
    stop: started.stop,
  };
};

/** Where local mode's supervisor puts the shop: its ports, its brokers, and the databases and roles it makes (named with the prefix). */
interface LocalShopPlace {
  basePort: number;
  databaseUrl: string;
  databasePrefix: string;
  kafkaBrokers: string[];
  env?: Record<string, string>;
}

const supervisorEnvironment = (options: LocalShopPlace, dataDir: string): Record<string, string> => ({
  ...options.env,
  ORDO_DATA_DIR: dataDir,
  PORT: String(options.basePort),
  DATABASE_URL: options.databaseUrl,
  ORDO_DATABASE_PREFIX: options.databasePrefix,
  KAFKA_BROKERS: options.kafkaBrokers.join(','),
});

/**
 * `npm run start:local` as a bare process, for tests of how the supervisor starts and
 * stops: its output, its exit, the processes it left behind, and its databases dropped.
 */
export const startLocalProcess = (options: LocalShopPlace) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-local-'));
  const started = run('infra/cli/src/local.ts', supervisorEnvironment(options, dataDir));
  return {
    child: started.child,
    output: started.output,
    waitForLine: started.waitForLine,
    /** Resolves once the supervisor has exited. */
    exited: started.exited,
    /** The processes of this launch still alive. */
    leftovers: () => markedPids(started.marker),
    /** SIGINT, then SIGKILL to what is left; drops the databases and roles and the data folder. */
    cleanUp: async () => {
      await started.stop();
      await dropServiceDatabases(options.databaseUrl, shopServices, options.databasePrefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export interface LaunchedEmbeddedShop extends LaunchedShop {
  /**
   * SIGKILLs the shop's process (a crash: nothing is shut down), runs `whileDown` while
   * nothing holds the data folder, then starts the shop again on the same port and folder,
   * and resolves once it runs.
   */
  crashAndRestart(whileDown?: () => Promise<void>): Promise<void>;
}

/** `npm start` on a data folder (kept across a kill and restart of the whole process). */
export const launchEmbedded = async (dataDir: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<LaunchedEmbeddedShop> => {
  let process_ = run('infra/cli/src/embedded.ts', { ...extraEnv, PORT: '0', ORDO_DATA_DIR: dataDir }, nodeArgs);
  const urlOf = async () => {
    const [, url] = await process_.waitForLine(/Ordo is running .* at (http:\/\/\S+)/);
    return url as string;
  };
  const url = await urlOf();
  const urls = embeddedUrls(url);
  // Embedded, callers without a token act as customers: only the operator has one.
  const { operator } = localTokens(dataDir, []).tokens;
  const crashAndRestart = async (whileDown?: () => Promise<void>) => {
    process_.child.kill('SIGKILL');
    await process_.exited;
    await whileDown?.();
    process_ = run('infra/cli/src/embedded.ts', { ...extraEnv, PORT: new URL(url).port, ORDO_DATA_DIR: dataDir }, nodeArgs);
    await urlOf();
  };
  return {
    urls,
    tokens: { operator: operator as string },
    output: process_.output,
    // Embedded, the saga shares its process with everything: killing it kills the shop.
    killSaga: () => crashAndRestart(),
    crashAndRestart,
    processes: () => markedPids(process_.marker).map((pid) => ({ pid, command: cmdline(pid) })),
    stop: () => process_.stop(),
  };
};

/** Starts a service a test stopped, outside the supervisor; resolves, once it is ready, to what stops it again. */
export type StartAgain = () => Promise<() => Promise<void>>;

export interface LaunchedLocalShop extends LaunchedShop {
  /** Each service's database URL, with the service's own role: service name -> URL. */
  databases: Record<string, string>;
  /** ORDO_DATA_DIR: the tokens, database passwords and process list the supervisor keeps. */
  dataDir: string;
  /** A service's base URL by its name in the shop (payments and shipping too). */
  urlOf(name: string): string;
  /** The gateway's URL: every service's public routes on the base port. */
  gateway: string;
  /**
   * SIGKILLs one service's process (no shutdown: what it held in memory is lost), then
   * waits until the supervisor has started it again and it answers ready; resolves to the
   * killed process's id.
   */
  killAndRestart(name: string): Promise<number>;
  /**
   * SIGKILLs one of a service's processes (`--replicas`), picked at random, and waits until
   * the supervisor has started it again and every replica answers ready; resolves to the
   * killed process's id.
   */
  killOneReplica(name: string): Promise<number>;
  /**
   * SIGTERMs one service's process: it stops gracefully, and the supervisor leaves it
   * stopped. Resolves to a function that starts it again as the supervisor had (its
   * command and environment), outside the supervisor, and resolves once it answers ready,
   * to a function that stops that process.
   */
  stopService(name: string): Promise<StartAgain>;
  /** Drops the databases and roles the launch made, and its data folder; call it after stop(). */
  dropDatabases(): Promise<void>;
}

/**
 * `npm run start:local` on its own ports, Kafka brokers, and databases and roles named
 * with `databasePrefix` (made by the supervisor from `databaseUrl`, an administrator's).
 */
export const launchLocal = async (
  options: LocalShopPlace & {
    /** The supervisor's options, e.g. `--production`. */
    args?: string[];
  },
): Promise<LaunchedLocalShop> => {
  // The supervisor keeps the tokens and database passwords it makes in a data folder; a fresh one per launch.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-local-'));
  const supervisor = run('infra/cli/src/local.ts', supervisorEnvironment(options, dataDir), [], options.args);
  const dropDatabases = async () => {
    await dropServiceDatabases(options.databaseUrl, shopServices, options.databasePrefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // Its last line once started: the hints before it (the curl a spec reads) are printed by then.
    await supervisor.waitForLine(/\[supervisor\] Ctrl-C stops the services/);
  } catch (error) {
    // Nobody gets a shop to clean up after: leave no processes, databases or roles behind.
    await supervisor.stop();
    await dropDatabases();
    throw error;
  }
  const url = (name: string) => `http://127.0.0.1:${portOf(name, options.basePort)}`;
  const urls: ShopUrls = {
    catalog: url('catalog'),
    inventory: url('inventory'),
    orders: url('orders'),
    sagas: url('sagas'),
    customers: url('customers'),
    payments: url('payments'),
    shipping: url('shipping'),
    ordersView: url('orders-view'),
    inventoryView: url('inventory-view'),
  };
  const databases = Object.fromEntries(
    serviceDatabases(options.databaseUrl, shopServices, options.databasePrefix, dataDir).map((database) => [database.service, database.url]),
  );
  const { operator, customer } = localTokens(dataDir, []).tokens;
  // concurrently runs `exec node ... serve.ts <name>` (or, --production, `<package>/dist/main.js`),
  // so the service is that node process itself.
  const pidsOf = (name: string) =>
    markedPids(supervisor.marker).filter((pid) =>
      [`serve.ts ${name} `, `${path.join(packageFolderOf(name), 'dist', 'main.js')} `].some((end) => cmdline(pid).endsWith(end)),
    );
  const ready = (name: string) =>
    fetch(`${url(name)}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
  /** The one process of a service that runs without replicas. */
  const onlyProcessOf = (name: string): number => {
    const [pid, ...others] = pidsOf(name);
    if (!pid || others.length > 0) throw new Error(`expected one process of ${name}, found ${pid === undefined ? 'none' : [pid, ...others].join(', ')}`);
    return pid;
  };
  // The supervisor restarts a service that died (a second later): nothing here starts one.
  const killAndRestart = async (name: string): Promise<number> => {
    const pid = onlyProcessOf(name);
    process.kill(pid, 'SIGKILL');
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(200)) {
      const restarted = pidsOf(name).some((each) => each !== pid);
      if (restarted && (await ready(name))) return pid;
    }
    throw new Error(`${name} was not restarted within 90 s:\n${supervisor.output.slice(-40).join('\n')}`);
  };
  // Every process the supervisor says it runs (`running: catalog http://…, orders#2 http://…`), by service.
  const replicaUrls = new Map<string, string[]>();
  const running = supervisor.output.find((line) => line.startsWith(RUNNING));
  for (const entry of (running?.slice(RUNNING.length) ?? '').split(', ').filter(Boolean)) {
    const [processName = '', processUrl = ''] = entry.split(' ');
    const service = processName.replace(/#\d+$/, '');
    replicaUrls.set(service, [...(replicaUrls.get(service) ?? []), processUrl]);
  }
  const killOneReplica = async (name: string): Promise<number> => {
    const pids = pidsOf(name);
    const pid = pids[Math.floor(Math.random() * pids.length)];
    if (pid === undefined) throw new Error(`no process of ${name}`);
    process.kill(pid, 'SIGKILL');
    const allReady = async () =>
      (
        await Promise.all(
          (replicaUrls.get(name) ?? []).map((replica) =>
            fetch(`${replica}/health/ready`).then(
              (r) => r.ok,
              () => false,
            ),
          ),
        )
      ).every(Boolean);
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(200)) {
      const now = pidsOf(name);
      if (!now.includes(pid) && now.length === pids.length && (await allReady())) return pid;
    }
    throw new Error(`${name}'s killed replica was not restarted within 90 s:\n${supervisor.output.slice(-40).join('\n')}`);
  };
  // A clean exit is not restarted: the service stays down until the function this resolves to starts it.
  const stopService = async (name: string): Promise<StartAgain> => {
    const pid = onlyProcessOf(name);
    // What the supervisor started it with, to start it the same way again.
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const env = Object.fromEntries(
      fs
        .readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
    process.kill(pid, 'SIGTERM');
    for (const deadline = Date.now() + 30_000; markedPids(supervisor.marker).includes(pid); await sleep(100)) {
      if (Date.now() > deadline) throw new Error(`${name} did not stop within 30 s of SIGTERM`);
    }
    return async () => {
      const started = spawn(argv[0] as string, argv.slice(1), { cwd: ROOT, env, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      for (const deadline = Date.now() + 90_000; !(await ready(name)); await sleep(200)) {
        if (Date.now() > deadline) throw new Error(`${name} did not answer ready within 90 s of its start`);
      }
      // Not the supervisor's: whoever started it stops it.
      return async () => {
        started.kill('SIGTERM');
        await exited;
      };
    };
  };
  return {
    urls,
    databases,
    dataDir,
    dropDatabases,
    stopService,
    killOneReplica,
    tokens: { operator: operator as string, ...(customer && { customer }) },
    output: supervisor.output,
    urlOf: url,
    gateway: `http://127.0.0.1:${options.basePort}`,
    killAndRestart,
    killSaga: async () => void (await killAndRestart('sagas')),
    processes: () => markedPids(supervisor.marker).map((pid) => ({ pid, command: cmdline(pid) })),
    stop: () => supervisor.stop(),
  };
};
