import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { topicsOf } from '@ordo/host';
import { env } from '@ordo/runtime';
import { databaseNameOf } from '../src/databases';
import { shopRoutes } from '../src/gateway-routes';
import { gatewayEnvironment, serviceEnvironment, type ShopWiring } from '../src/service-env';
import { dashboardOptions, GATEWAY, packageFolderOf, SERVICE_PACKAGES, shopServices } from '../src/shop';

// docker-compose.yml against the repository, with no Docker engine: every service of the
// shop has its container, built from its own Dockerfile, with a health check, the
// environment its entry reads, and a database and role of its own; no two share a
// password or a token; every service the gateway routes to is a container on the port it
// listens on. (Where a Docker engine answers, compose.e2e brings the stack up.)

const ROOT = path.resolve(__dirname, '../../..');
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  command?: string[];
}
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const SHOP = [...shopServices.map((service) => service.name), GATEWAY];
const environmentOf = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [key, String(value)]));
const dockerfileOf = (name: string) => fs.readFileSync(path.join(ROOT, services[name]?.build?.dockerfile ?? 'missing'), 'utf8');
/** `${NAME}` or `${NAME:?...}` in a value: the variable it takes from .env. */
const variablesIn = (value: string) => [...value.matchAll(/\$\{([A-Z0-9_]+)(:\?[^}]*)?\}/g)].map((match) => match[1]);
/** The host of the first URL a `name=url,...` variable gives a name, read as the service reads it. */
const hostsByName = (value: string) => {
  const urls = env.namedUrls().parse(value);
  return (name: string) => {
    const first = urls.get(name)?.[0];
    return first === undefined ? undefined : new URL(first).host;
  };
};
/** What local mode gives each service, with placeholders: the keys are what matter. */
const wiring: ShopWiring = { urls: new Map(SHOP.map((name) => [name, [`http://${name}:3000`]])), brokers: ['kafka:9092'], authTokens: 'x', serviceToken: 'x' };

describe('docker-compose.yml', () => {
  it('has a container for every service of the shop and the gateway, built from the Dockerfile in its package', () => {
    for (const name of SHOP) {
      expect({ name, build: services[name]?.build, image: services[name]?.image }).toEqual({
        name,
        build: { context: '.', dockerfile: `${path.relative(ROOT, packageFolderOf(name))}/Dockerfile` },
        image: `ordo/${name}`,
      });
    }
    // Nothing else is built: the rest are the infrastructure's own images.
    expect(
      Object.keys(services)
        .filter((name) => services[name]?.build)
        .sort(),
    ).toEqual([...SHOP].sort());
  });

  it.each(SHOP)('builds %s in two stages into its production build, run as a user that is not root, with a health check', (name) => {
    const dockerfile = dockerfileOf(name);
    const folder = path.relative(ROOT, packageFolderOf(name));
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toContain(`node tools/stage-production.mjs ${SERVICE_PACKAGES[name]} /ordo`);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/health\/ready/m);
    expect(runtime).toMatch(/^ENV .*HOST=0\.0\.0\.0 PORT=3000$/m);
    expect(runtime).toContain(`CMD ["node", "--conditions=production", "${folder}/dist/main.js"]`);
    expect(fs.existsSync(path.join(packageFolderOf(name), 'src', 'main.ts'))).toBe(true);
  });

  it('gives each service the variables local mode gives it, and an event store on KurrentDB where it keeps events', () => {
    for (const service of shopServices) {
      const environment = environmentOf(service.name);
      // PORT comes from the Dockerfile; DATABASE_SCHEMA defaults to the same schema.
      const wanted = Object.keys(serviceEnvironment(service.name, 3000, 'postgres://x', wiring)).filter((key) => !['PORT', 'DATABASE_SCHEMA'].includes(key));
      expect({ service: service.name, missing: wanted.filter((key) => !(key in environment)) }).toEqual({ service: service.name, missing: [] });
      expect({ service: service.name, eventStore: environment.EVENTSTORE_URL }).toEqual({
        service: service.name,
        eventStore: service.store ? 'esdb://kurrentdb:2113?tls=false' : undefined,
      });
      expect(services[service.name]?.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        'kafka-topics': { condition: 'service_completed_successfully' },
        ...(service.store && { kurrentdb: { condition: 'service_healthy' } }),
      });
      expect(environment.KAFKA_BROKERS).toBe('kafka:9092');
      // Each peer it calls is a container of the stack.
      const peerHost = hostsByName(environment.PEER_URLS ?? '');
      for (const peer of service.calls ?? []) expect(peerHost(peer)).toBe(`${peer}:3000`);
    }
    const dashboard = environmentOf('saga-dashboard');
    expect({ sagaService: dashboard.SAGA_SERVICE, deadLetterServices: dashboard.DEAD_LETTER_SERVICES?.split(',') }).toEqual({
      sagaService: dashboardOptions.sagaService,
      deadLetterServices: dashboardOptions.deadLetterServices,
    });
  });

  it("gives every service a database and role of its own, which PostgreSQL's first start makes", () => {
    const made = new Map(
      (environmentOf('postgres').ORDO_DATABASES ?? '')
        .split(',')
        .map((entry) => [entry.slice(0, entry.indexOf(':')), variablesIn(entry.slice(entry.indexOf(':') + 1))[0]]),
    );
    for (const service of shopServices) {
      const url = new URL(environmentOf(service.name).DATABASE_URL ?? '');
      const name = databaseNameOf(service);
      expect({ host: url.host, user: url.username, database: url.pathname }).toEqual({ host: 'postgres:5432', user: name, database: `/${name}` });
      expect({ service: service.name, password: variablesIn(decodeURIComponent(url.password)) }).toEqual({ service: service.name, password: [made.get(name)] });
    }
    expect([...made.keys()].sort()).toEqual(shopServices.map((service) => databaseNameOf(service)).sort());
  });

  it('shares no password or token between two services, and every service token is admitted by every service', () => {
    const credentials = shopServices.flatMap((service) => {
      const environment = environmentOf(service.name);
      return [...variablesIn(decodeURIComponent(new URL(environment.DATABASE_URL ?? '').password)), ...variablesIn(environment.SERVICE_TOKEN ?? '')];
    });
    expect(credentials).toHaveLength(shopServices.length * 2);
    expect(new Set(credentials).size).toBe(credentials.length);
    for (const service of shopServices) {
      const [token] = variablesIn(environmentOf(service.name).SERVICE_TOKEN ?? '');
      expect(variablesIn(environmentOf(service.name).AUTH_TOKENS ?? '')).toContain(token);
    }
  });

  it('routes the gateway by the shop table to containers that listen where it sends', () => {
    const gateway = environmentOf(GATEWAY);
    const wanted = Object.keys(gatewayEnvironment(3000, wiring)).filter((key) => !['PORT', 'DOCS_WAIT_MS'].includes(key));
    expect(wanted.filter((key) => !(key in gateway))).toEqual([]);
    expect(JSON.parse(gateway.ROUTES ?? '[]')).toEqual(JSON.parse(JSON.stringify(shopRoutes)));
    const upstreamHost = hostsByName(gateway.UPSTREAM_URLS ?? '');
    for (const route of shopRoutes) {
      expect({ service: route.service, host: upstreamHost(route.service) }).toEqual({ service: route.service, host: `${route.service}:3000` });
      // The container listens on the Dockerfile's port 3000: compose moves no PORT.
      expect(services[route.service]?.environment?.PORT).toBeUndefined();
    }
    expect(services[GATEWAY]?.ports).toEqual(['${ORDO_PORT:-3000}:3000']);
    expect(Object.keys(services[GATEWAY]?.depends_on ?? {}).sort()).toEqual(shopServices.map((service) => service.name).sort());
    // Only the gateway is published: every other service is reached through it.
    expect(Object.keys(services).filter((name) => services[name]?.ports)).toEqual([GATEWAY]);
  });

  it('checks the health of KurrentDB, Kafka and PostgreSQL, and makes the topics local mode makes', () => {
    for (const name of ['postgres', 'kurrentdb', 'kafka']) expect(services[name]?.healthcheck?.test.length).toBeGreaterThan(0);
    const script = fs.readFileSync(path.join(ROOT, 'infra/compose/kafka-topics.sh'), 'utf8');
    const made = [...script.matchAll(/^topic (\S+) (\d+) "\$(FOREVER|WEEK)"$/gm)].map(([, name, partitions, retention]) => ({
      name,
      partitions: Number(partitions),
      retentionMs: retention === 'FOREVER' ? -1 : 604_800_000,
    }));
    expect(made).toEqual(topicsOf(shopServices, 3).map(({ name, partitions, retentionMs }) => ({ name, partitions, retentionMs })));
    expect(services['kafka-topics']?.command).toEqual(['bash', '/ordo/kafka-topics.sh', 'kafka:9092']);
  });

  it('knows the package of every service of the shop and of the gateway', () => {
    expect(Object.keys(SERVICE_PACKAGES).sort()).toEqual([...SHOP].sort());
  });
});
