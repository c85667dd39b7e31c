import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIVE_STEP_ENV, fiveStepScenarios, type FiveStepShop } from './five-step-scenarios';
import { launchEmbedded } from './launch';

// `npm start` on order placement's default version, 3, with deadlines and a hanging card a test can
// wait for (FIVE_STEP_ENV): one process, PGlite, the embedded bus, every route on one port.
describe('the five-step scenarios in embedded mode', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-five-step-scenarios-'));
  let host: FiveStepShop;

  beforeAll(async () => {
    const launched = await launchEmbedded(dataDir, FIVE_STEP_ENV);
    host = { launched, payments: launched.urls.orders, shipping: launched.urls.orders };
  });
  afterAll(async () => {
    await host?.launched.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  fiveStepScenarios(() => host);
});
