import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchEmbedded, type LaunchedShop } from './launch';
import { shopScenarios } from './shop-scenarios';

// `npm start`: one process, PGlite under a data folder, the embedded bus.
describe('the shop in embedded mode', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-embedded-'));
  let shop: LaunchedShop;

  beforeAll(async () => {
    shop = await launchEmbedded(dataDir);
  });
  afterAll(async () => {
    await shop?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds a small catalog and prints a curl command that places an order', async () => {
    const [curl] = shop.output.filter((line) => line.includes('curl -s -X POST')).map((line) => line.trim());
    expect(curl).toContain(`${shop.urls.orders}/v1/orders`);
    const products = await fetch(`${shop.urls.catalog}/v1/products/MUG-001`);
    expect(products.status).toBe(200);
    expect((await fetch(`${shop.urls.orders}/docs/json`)).status).toBe(200);
  });

  it('makes an operator token on its first start, keeps it to its owner, prints it, and guards routes with it', async () => {
    const file = path.join(dataDir, 'auth-tokens');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(shop.output.join('\n')).toContain(`Bearer ${shop.tokens.operator}`);
    const metrics = `${shop.urls.orders}/metrics`;
    expect((await fetch(metrics)).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: `Bearer ${shop.tokens.operator}` } })).status).toBe(200);
  });

  it('lists every view’s projection on its one GET /v1/projections', async () => {
    const response = await fetch(`${shop.urls.ordersView}/v1/projections`, { headers: { authorization: `Bearer ${shop.tokens.operator}` } });
    expect(response.status).toBe(200);
    const { projections } = (await response.json()) as { projections: { name: string; state: string }[] };
    expect(projections.map((projection) => projection.name).sort()).toEqual(['inventory-view', 'orders-view', 'saga-dashboard']);
  });

  shopScenarios(() => shop);
});
