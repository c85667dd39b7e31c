import { randomBytes } from 'node:crypto';
import { CANCEL_SCENARIOS_ENV, cancelScenarios } from './cancel-scenarios';
import { startLocalShop, type LocalShopOnItsBroker } from './local-shop';

// `npm run start:local` (order placement's default version, 3): the cancellation scenarios
// (cancel-scenarios.ts) with a process per service, on PostgreSQL and a broker of this file's own.
const BROKER_PORT = 19_394;

describe('cancelling orders in local mode on order placement version 3', () => {
  let local: LocalShopOnItsBroker;

  beforeAll(async () => {
    local = await startLocalShop({ brokerPort: BROKER_PORT, databasePrefix: `t_cancel_${randomBytes(3).toString('hex')}_`, env: CANCEL_SCENARIOS_ENV });
  }, 300_000);
  afterAll(() => local?.stop(), 120_000);

  cancelScenarios(() => local.shop);
});
