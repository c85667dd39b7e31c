import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEventStore, type EventStore } from '@ordo/eventstore';
import { schemaOf } from '@ordo/host';
import { orderStream } from '@ordo/orders-contract';
import { testEnvironment } from '@ordo/testing';
import { dropServiceDatabases, provisionServiceDatabases } from '../src/databases';
import { shopService } from '../src/shop';
import { runOrdo } from './run-ordo';

// `ordo replay` in local mode against the real PostgreSQL server, rebuilding orders-view
// from the context stores (the databases the supervisor gives them): a dry run reports the
// rows a rebuild would add and swaps nothing, a rebuild swaps them in, a second dry run
// finds nothing to change. And embedded mode's data folder, held by a live process, is
// refused with that process's id.

describe('ordo replay', () => {
  const env = testEnvironment();
  const prefix = `t_rl_${randomBytes(3).toString('hex')}_`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-replay-'));
  const services = [shopService('orders'), shopService('payments'), shopService('shipping'), { name: 'orders-view' }];
  const local = { DATABASE_URL: env.databaseUrl, KAFKA_BROKERS: env.kafkaBrokers.join(','), ORDO_DATABASE_PREFIX: prefix, ORDO_DATA_DIR: dataDir };
  const orderIds = [randomUUID(), randomUUID()];

  const orders = shopService('orders');
  /** Two orders placed in the orders store at that URL (a server's database, or a PGlite folder). */
  const placeOrders = async (url: string) => {
    const store: EventStore = await createEventStore(url, { schema: schemaOf(orders), ...orders.store });
    try {
      for (const orderId of orderIds) {
        const metadata = { correlationId: orderId, causationId: orderId, commandId: orderId, schemaVersion: 1 };
        const data = { orderId, lines: [{ sku: 'MUG-001', quantity: 2, unitPriceCents: 1250 }], totalCents: 2500, at: '2026-11-30T10:00:00.000Z' };
        await store.appendToStream(orderStream(orderId), [{ id: randomUUID(), type: 'OrderPlaced', data, metadata }], { expectedRevision: 'no_stream' });
      }
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    const { databases } = await provisionServiceDatabases(env.databaseUrl, services, prefix, dataDir);
    await placeOrders(databases[0]?.url as string);
  });
  afterAll(async () => {
    await dropServiceDatabases(env.databaseUrl, services, prefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds orders-view from the stores: a dry run swaps nothing, a rebuild swaps the rows in', async () => {
    const dryRun = await runOrdo(['replay', 'orders-view', '--source', 'eventstore', '--dry-run'], local);
    expect(dryRun).toMatchObject({ code: 0, stderr: expect.stringMatching(/^replay orders-view: events 2, \d+\/s, done in /) });
    const [summary, counts, ...examples] = dryRun.stdout.trimEnd().split('\n');
    expect(summary).toMatch(/^dry run of orders-view from eventstore: 2 event\(s\) in [\d.]+ s; nothing swapped$/);
    expect(counts).toBe('  rows added 2, changed 0, removed 0 (against the live tables)');
    expect(examples).toHaveLength(2);
    for (const orderId of orderIds) expect(examples.some((line) => line.startsWith(`    added orders ["${orderId}"]`))).toBe(true);

    const rebuilt = await runOrdo(['replay', 'orders-view', '--source', 'eventstore'], local);
    expect(rebuilt).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^rebuilt orders-view from eventstore: 2 event\(s\) in [\d.]+ s; swapped in\n  rows added 2/),
    });

    const again = await runOrdo(['replay', 'orders-view', '--source', 'eventstore', '--dry-run'], local);
    expect(again.stdout).toContain('  rows added 0, changed 0, removed 0');
  });

  // One PGlite database holds the stores and the view: the rebuild must not wait on itself.
  it("rebuilds orders-view in embedded mode's data folder from its stores", async () => {
    const folder = path.join(dataDir, 'stopped-shop');
    fs.mkdirSync(path.join(folder, 'pglite'), { recursive: true });
    await placeOrders(`pglite://${path.join(folder, 'pglite')}`);
    const rebuilt = await runOrdo(['--mode', 'embedded', 'replay', 'orders-view'], { ...local, ORDO_DATA_DIR: folder });
    expect(rebuilt).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^rebuilt orders-view from eventstore: 2 event\(s\) in [\d.]+ s; swapped in\n  rows added 2/),
    });
    const again = await runOrdo(['--mode', 'embedded', 'replay', 'orders-view', '--dry-run'], { ...local, ORDO_DATA_DIR: folder });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('  rows added 0, changed 0, removed 0') });
  });

  it("refuses embedded mode's data folder while a live process holds it, naming that process", async () => {
    const folder = path.join(dataDir, 'embedded');
    fs.mkdirSync(path.join(folder, 'pglite'), { recursive: true });
    // This test's own process stands in for a running `npm start`.
    fs.writeFileSync(path.join(folder, 'ordo.lock'), String(process.pid));
    const run = await runOrdo(['--mode', 'embedded', 'replay', 'orders-view'], { ...local, ORDO_DATA_DIR: folder });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `ordo: ${folder} is in use by process ${process.pid}: stop npm start first (a replay needs the data folder to itself)\n`,
    });
  });

  it('refuses what embedded mode cannot do: Kafka sources', async () => {
    const run = await runOrdo(['--mode', 'embedded', 'replay', 'orders-view', '--source', 'kafka'], { ...local, ORDO_DATA_DIR: dataDir });
    expect(run).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ordo: embedded mode has no Kafka/) });
  });
});
