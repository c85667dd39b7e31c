import { randomBytes } from 'node:crypto';
import { startBroker, stopBroker } from '@ordo/kafka-local';
import { testEnvironment } from '@ordo/testing';
import { launchLocal, type LaunchedShop } from './launch';
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
    shop = await launchLocal({ basePort: 21_000 + Math.floor(Math.random() * 400) * 10, databaseUrl: env.databaseUrl, schemaPrefix, kafkaBrokers: broker.brokers, env: { LOG_LEVEL: 'info' } });
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

  it('prefixes each service\'s log lines, and stops every service on Ctrl-C', async () => {
    for (const name of ['catalog', 'inventory', 'orders', 'sagas']) expect(shop.output.some((line) => line.startsWith(`[${name}`))).toBe(true);
    expect(await shop.stop()).toEqual({ leftovers: 0 });
  });
});
