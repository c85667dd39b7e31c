import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CANCEL_SCENARIOS_ENV, cancelScenarios } from './cancel-scenarios';
import { launchEmbedded, type LaunchedShop } from './launch';

// `npm start` (order placement's default version, 3), cancelling orders and dispatching one (cancel-scenarios.ts).
describe('cancelling orders in embedded mode on order placement version 3', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-cancel-'));
  let launched: LaunchedShop;

  beforeAll(async () => {
    launched = await launchEmbedded(dataDir, CANCEL_SCENARIOS_ENV);
  });
  afterAll(async () => {
    await launched?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  cancelScenarios(() => launched);
});
