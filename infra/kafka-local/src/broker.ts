import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureKafkaJars } from './jars';
import { brokerPaths, DEFAULT_PORT, kafkaHome, type BrokerPaths } from './paths';
import { brokerAnswers } from './probe';
import { isBrokerProcess, portIsListening, readPid, waitForExit, withFileLock } from './process';
import { log4jProperties, newClusterId, serverProperties } from './server-config';

export interface BrokerOptions {
  /** The client port; the controller listens on port + 1. Default ORDO_KAFKA_PORT or 9092. */
  port?: number;
  /** Jars and broker state. Default ORDO_KAFKA_HOME or the package's .cache folder. */
  home?: string;
  /** Delete the broker's data before starting. */
  fresh?: boolean;
  /** JVM heap ceiling, e.g. '512m'. */
  heap?: string;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LocalBroker {
  brokers: string[];
  port: number;
  pid: number;
  logFile: string;
  /** False when this call launched the broker; true when one was already running. */
  alreadyRunning: boolean;
}

const resolveOptions = (options: BrokerOptions) => {
  const port = options.port ?? Number(process.env.ORDO_KAFKA_PORT ?? DEFAULT_PORT);
  const home = kafkaHome(options.home);
  return { port, home, paths: brokerPaths(home, port), log: options.log ?? (() => undefined) };
};

/**
 * Starts the broker, or finds the one already running for this port, and returns
 * only once it answers. Starting again reuses the jars and the data.
 */
export const startBroker = async (options: BrokerOptions = {}): Promise<LocalBroker> => {
  const { port, home, paths, log } = resolveOptions(options);
  const brokers = [`127.0.0.1:${port}`];
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  fs.mkdirSync(paths.dir, { recursive: true });

  return withFileLock(paths.lockFile, readyTimeoutMs + 120_000, async () => {
    const running = readPid(paths.pidFile);
    if (running !== undefined && isBrokerProcess(running, paths.serverProperties)) {
      await waitUntilReady(brokers, running, paths, readyTimeoutMs);
      return { brokers, port, pid: running, logFile: paths.logFile, alreadyRunning: true };
    }
    if (await portIsListening(port)) {
      throw new Error(
        `port ${port} is taken by a process that is not this broker; ` +
          'stop it, choose another port with ORDO_KAFKA_PORT, or point KAFKA_BROKERS at it if it is Kafka',
      );
    }
    const libs = ensureKafkaJars(home, log);
    if (options.fresh) fs.rmSync(paths.data, { recursive: true, force: true });
    writeConfig(paths, port);
    if (!fs.existsSync(path.join(paths.data, 'meta.properties'))) formatStorage(libs, paths);

    const pid = launch(libs, paths, options.heap ?? '512m');
    log(`Kafka broker starting on 127.0.0.1:${port} (pid ${pid}, log ${paths.logFile})`);
    try {
      await waitUntilReady(brokers, pid, paths, readyTimeoutMs);
    } catch (error) {
      await stopProcess(pid, paths);
      throw error;
    }
    return { brokers, port, pid, logFile: paths.logFile, alreadyRunning: false };
  });
};

/** Stops the broker for this port, if running, and returns once its process is gone. */
export const stopBroker = async (options: BrokerOptions = {}): Promise<{ stopped: boolean; pid?: number }> => {
  const { paths } = resolveOptions(options);
  if (!fs.existsSync(paths.dir)) return { stopped: false };
  return withFileLock(paths.lockFile, 60_000, async () => {
    const pid = readPid(paths.pidFile);
    if (pid === undefined || !isBrokerProcess(pid, paths.serverProperties)) {
      fs.rmSync(paths.pidFile, { force: true });
      return { stopped: false };
    }
    await stopProcess(pid, paths);
    return { stopped: true, pid };
  });
};

export const brokerStatus = async (options: BrokerOptions = {}) => {
  const { port, paths } = resolveOptions(options);
  const pid = readPid(paths.pidFile);
  const running = pid !== undefined && isBrokerProcess(pid, paths.serverProperties);
  const answering = running && (await brokerAnswers([`127.0.0.1:${port}`]));
  return { port, pid: running ? pid : undefined, running, answering, logFile: paths.logFile };
};

const writeConfig = (paths: BrokerPaths, port: number): void => {
  fs.writeFileSync(paths.serverProperties, serverProperties({ port, controllerPort: port + 1, dataDir: paths.data }));
  fs.writeFileSync(paths.log4jProperties, log4jProperties());
};

const javaArgs = (libs: string, paths: BrokerPaths, mainClass: string, heap = '256m'): string[] => [
  `-Xmx${heap}`,
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  // The JVM's quick compiler only: this broker lives for a test run or a dev session at a
  // few hundred requests a second, and the optimising compiler's work was a third of its
  // CPU in the saga benchmark, still going after a minute and a half of load.
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  `-Dlog4j2.configurationFile=${paths.log4jProperties}`,
  '-cp',
  path.join(libs, '*'),
  mainClass,
];

const formatStorage = (libs: string, paths: BrokerPaths): void => {
  const args = [...javaArgs(libs, paths, 'kafka.tools.StorageTool'), 'format', '-t', newClusterId(), '-c', paths.serverProperties];
  const format = spawnSync('java', args, { encoding: 'utf8' });
  if (format.status !== 0) {
    throw new Error(`formatting Kafka storage failed (exit ${format.status}):\n${(format.stdout + format.stderr).slice(-3000)}`);
  }
};

const launch = (libs: string, paths: BrokerPaths, heap: string): number => {
  const logFd = fs.openSync(paths.logFile, 'a');
  // Detached, in its own process group, so the broker outlives the command that
  // started it (local mode, a test run) until `stop` is called.
  const child = spawn('java', [...javaArgs(libs, paths, 'kafka.Kafka', heap), paths.serverProperties], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  if (child.pid === undefined) throw new Error("could not launch 'java' for the Kafka broker");
  child.unref();
  fs.writeFileSync(paths.pidFile, String(child.pid));
  return child.pid;
};

const waitUntilReady = async (brokers: string[], pid: number, paths: BrokerPaths, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isBrokerProcess(pid, paths.serverProperties)) {
      throw new Error(`the Kafka broker exited while starting; the end of ${paths.logFile}:\n${logTail(paths.logFile)}`);
    }
    if (await brokerAnswers(brokers, 1_000)) return;
    await sleep(250);
  }
  throw new Error(`the Kafka broker did not answer within ${timeoutMs} ms; the end of ${paths.logFile}:\n${logTail(paths.logFile)}`);
};

/** SIGTERM lets Kafka shut down cleanly; a broker that hangs is killed after 30 s. */
const stopProcess = async (pid: number, paths: BrokerPaths): Promise<void> => {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // already gone
  }
  if (!(await waitForExit(pid, 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 10_000);
  }
  fs.rmSync(paths.pidFile, { force: true });
};

const logTail = (logFile: string, lines = 30): string => {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};
