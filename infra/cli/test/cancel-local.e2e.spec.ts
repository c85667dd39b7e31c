import { randomBytes } from 'node:crypto';
import { startBroker, stopBroker } from '@ordo/kafka-local';
import { testEnvironment } from '@ordo/testing';
import { CANCEL_SCENARIOS_ENV, cancelScenarios } from './cancel-scenarios';
import { launchLocal, type LaunchedLocalShop } from './launch';

// `ORDO_ORDER_PLACEMENT_VERSION=2 npm run start:local`: the cancellation scenarios
// (cancel-scenarios.ts) with a process per service, on PostgreSQL and a broker of this file's own.
const BROKER_PORT = 19_394;

describe('cancelling orders in local mode on order placement version 2', () => {
  const env = testEnvironment();
  let shop: LaunchedLocalShop;

  beforeAll(async () => {
    const broker = await startBroker({ port: BROKER_PORT, fresh: true, heap: '512m' });
    shop = await launchLocal({
      basePort: 21_000 + Math.floor(Math.random() * 400) * 10,
      databaseUrl: env.databaseUrl,
      databasePrefix: `t_cancel_${randomBytes(3).toString('hex')}_`,
      kafkaBrokers: broker.brokers,
      env: CANCEL_SCENARIOS_ENV,
    });
  }, 300_000);
  afterAll(async () => {
    await shop?.stop();
    await shop?.dropDatabases();
    await stopBroker({ port: BROKER_PORT });
  }, 120_000);

  cancelScenarios(() => shop);
});
