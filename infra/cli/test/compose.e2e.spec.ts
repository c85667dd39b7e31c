import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@ordo/testing';
import { seedShop } from '../src/seed';

// Compose mode for real, where a Docker engine answers: the whole stack built from its
// Dockerfiles and brought up with docker-compose.yml (KurrentDB, Kafka, PostgreSQL, every
// service, the gateway), an order placed through the gateway and confirmed. Without an
// engine (the docker client alone does not count) the suite is skipped, saying so in one
// line; compose.unit.spec.ts checks the file against the repository either way.

const ROOT = path.resolve(__dirname, '../../..');
const engineAnswers = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 15_000 }).status === 0;
// Written straight to stderr: jest drops the console output of a file whose tests all skip.
if (!engineAnswers) process.stderr.write('compose.e2e: skipped, no Docker engine answers here (docker info fails)\n');
const describeWithDocker = engineAnswers ? describe : describe.skip;

describeWithDocker('the compose stack', () => {
  const project = `ordo-test-${randomBytes(3).toString('hex')}`;
  const envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-compose-')), '.env');
  const port = 20_000 + Math.floor(Math.random() * 1_000);
  const gateway = `http://127.0.0.1:${port}`;
  const compose = (...args: string[]) =>
    execFileSync('docker', ['compose', '--project-name', project, '--env-file', envFile, ...args], {
      cwd: ROOT,
      env: { ...process.env, ORDO_PORT: String(port) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  let secrets: Record<string, string>;

  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'tools/compose-env.mjs'), envFile]);
    secrets = Object.fromEntries(
      fs
        .readFileSync(envFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    // --wait: until every service's health check passes (the one-shot topics job has run).
    compose('up', '--detach', '--build', '--wait', '--wait-timeout', '1200');
  }, 1_800_000);
  afterAll(() => {
    compose('down', '--volumes', '--remove-orphans');
    fs.rmSync(path.dirname(envFile), { recursive: true, force: true });
  }, 300_000);

  it('places an order through the gateway, and the orders view shows it confirmed', async () => {
    const urls = { catalog: gateway, inventory: gateway, orders: gateway, customers: gateway, inventoryView: gateway };
    const { customerId } = await seedShop(urls, { operator: secrets.OPERATOR_TOKEN as string, customer: secrets.CUSTOMER_TOKEN }, 120_000);
    const customer = { authorization: `Bearer ${secrets.CUSTOMER_TOKEN}` };
    const placed = await fetch(`${gateway}/v1/orders`, {
      method: 'POST',
      headers: { ...customer, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ customerId, lines: [{ sku: 'MUG-001', quantity: 1 }], cardToken: 'tok_ok' }),
    });
    expect(placed.status).toBe(201);
    const { orderId } = (await placed.json()) as { orderId: string };
    const order = await eventually(
      async () => {
        const body = (await (await fetch(`${gateway}/v1/orders/${orderId}`, { headers: customer })).json()) as { status?: string };
        return body.status === 'confirmed' ? body : undefined;
      },
      `order ${orderId} confirmed`,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(order).toMatchObject({ orderId, status: 'confirmed', payment: { status: 'captured' } });
  }, 300_000);
});
