// Which shop a command talks to (docs/cli.md, "Which shop"): local mode (each service its own
// process on PostgreSQL and Kafka) or embedded mode (one process on `.ordo/`), and where
// its servers, data folder and tokens are.
import fs from 'node:fs';
import path from 'node:path';
import { EMBEDDED_OPERATOR, localTokens } from '@ordo/host';
import { loadLocalProcesses } from '../local-processes';
import { portOf, shopServices } from '../shop';
import { CliFailure } from './failure';

export const MODES = ['embedded', 'local'] as const;
export type Mode = (typeof MODES)[number];

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_BROKER = '127.0.0.1:9092';

export interface Target {
  mode: Mode;
  /** ORDO_DATA_DIR: embedded mode's PGlite and lock; both modes' tokens and database passwords. */
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

/** A server the operator routes are asked on. */
export interface Endpoint {
  name: string;
  url: string;
}

/** `--mode`, else local when KAFKA_BROKERS or DATABASE_URL is set, else embedded when ORDO_URL is set or the data folder exists. */
export const resolveTarget = (mode: Mode | undefined, env: NodeJS.ProcessEnv = process.env): Target => {
  const dataDir = env.ORDO_DATA_DIR || '.ordo';
  if (mode) return { mode, dataDir, env };
  if (env.KAFKA_BROKERS || env.DATABASE_URL) return { mode: 'local', dataDir, env };
  if (env.ORDO_URL || fs.existsSync(dataDir)) return { mode: 'embedded', dataDir, env };
  throw new CliFailure(
    `no shop found: ${dataDir} does not exist and none of KAFKA_BROKERS, DATABASE_URL and ORDO_URL is set; pass --mode local or --mode embedded (ORDO_DATA_DIR names the data folder)`,
  );
};

/**
 * Where the operator routes are: ORDO_URL alone when set (one service, a shop
 * elsewhere), else embedded mode's one port (PORT, default 3000) or every local service's
 * (PORT + its place in the shop's list), and with `gateway`, local mode's gateway on PORT itself.
 * With `replicas`, also the other processes of each service (`--replicas`) that the last
 * local start listed in the data folder, when it started the shop on these ports.
 */
export const endpointsOf = (target: Target, { gateway = false, replicas = false } = {}): Endpoint[] => {
  const { env } = target;
  if (env.ORDO_URL) return [{ name: 'shop', url: env.ORDO_URL.replace(/\/+$/, '') }];
  const basePort = Number(env.PORT || 3000);
  if (!Number.isInteger(basePort) || basePort <= 0) throw new CliFailure(`PORT must be a port number, not '${env.PORT}'`);
  if (target.mode === 'embedded') return [{ name: 'shop', url: `http://127.0.0.1:${basePort}` }];
  const services = shopServices.map((service) => ({ name: service.name, url: `http://127.0.0.1:${portOf(service.name, basePort)}` }));
  const extra = replicas ? otherReplicas(target.dataDir, services) : [];
  return [...services, ...extra, ...(gateway ? [{ name: 'gateway', url: `http://127.0.0.1:${basePort}` }] : [])];
};

/** The processes the last local start listed beyond each service's first, if it started the services where `services` are. */
const otherReplicas = (dataDir: string, services: readonly Endpoint[]): Endpoint[] => {
  const listed = loadLocalProcesses(dataDir);
  if (!listed) return [];
  const sameShop = services.every(({ name, url }) => listed.some((process) => process.name === name && process.url === url));
  return sameShop ? listed.filter(({ name }) => !services.some((service) => service.name === name)) : [];
};

/** ORDO_TOKEN, else the operator token the shop made on its first start (kept in the data folder). */
export const operatorToken = (target: Target): string => {
  if (target.env.ORDO_TOKEN) return target.env.ORDO_TOKEN;
  // Read, never made: a token made here would be one the running shop does not know.
  const file = path.join(target.dataDir, 'auth-tokens');
  if (!fs.existsSync(file))
    throw new CliFailure(`no operator token: ${file} does not exist (the shop makes it on its first start); set ORDO_TOKEN or ORDO_DATA_DIR`);
  const { tokens } = localTokens(target.dataDir, [EMBEDDED_OPERATOR]);
  return tokens[EMBEDDED_OPERATOR.subject] as string;
};

export const databaseUrlOf = (target: Target): string => target.env.DATABASE_URL || LOCAL_POSTGRES;

export const brokersOf = (target: Target): string[] =>
  (target.env.KAFKA_BROKERS || LOCAL_BROKER)
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);

/** A URL fit for a message: its password left out. */
export const printableUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
};
