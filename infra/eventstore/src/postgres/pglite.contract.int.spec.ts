import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEventStore } from '../create';
import { describeEventStoreContract } from '../contract/event-store-contract';

// On disk, as embedded mode runs it; two stores opened on one folder share its database.
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-pglite-contract-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

describeEventStoreContract('PGlite', (options) => createEventStore(`pglite://${folder}`, { ...options, schema: 'contract' }));
