import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localTokens } from '@ordo/host';
import { startEmbeddedProcess } from './launch';
import { embeddedUrls, shopClient, uniqueSku } from './shop-client';

// Two `npm start` on one data folder used to both run and split it (each saw only its
// own writes), and a second start that failed on a busy port had already opened PGlite,
// leaving the folder unopenable once the first was killed.
describe('the data folder of embedded mode', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-folder-'));
  const started: ReturnType<typeof startEmbeddedProcess>[] = [];
  const start = (folder: string, port: string | number = 0) => {
    const process_ = startEmbeddedProcess(folder, port);
    started.push(process_);
    return process_;
  };

  afterAll(async () => {
    for (const process_ of started) await process_.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is used by one process at a time, and keeps every acknowledged write across a SIGKILL', async () => {
    const first = start(dataDir);
    const url = await first.running();
    const tokens = { operator: localTokens(dataDir, []).tokens.operator as string };
    const shop = shopClient(embeddedUrls(url), tokens);
    const sku = uniqueSku('lock');
    await shop.addProduct(sku, 500, 5);
    const orderId = await shop.place([{ sku, quantity: 2 }]);

    // A second start on the same folder, on the same port and on another: refused before
    // it opens anything, naming the process that holds the folder.
    for (const port of [new URL(url).port, 0]) {
      const second = start(dataDir, port);
      expect(await second.exitCode()).toBe(1);
      expect(second.output.join('\n')).toContain(`is in use by process ${first.child.pid}`);
    }

    // The first still serves, and what it acknowledges now is kept too.
    expect((await shop.settled(orderId)).status).toBe('confirmed');
    const after = await fetch(`${url}/v1/stock/${sku}/additions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `after-${sku}`, authorization: `Bearer ${tokens.operator}` },
      body: JSON.stringify({ quantity: 10 }),
    });
    expect(after.status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exitCode();
    const restarted = start(dataDir, new URL(url).port);
    const restartedUrl = await restarted.running();
    const again = shopClient(embeddedUrls(restartedUrl), tokens);
    await again.stockMatching(sku, { added: 15, available: 13, reserved: 2 });
    expect(await again.order(orderId)).toMatchObject({ status: 'confirmed' });
  });

  it('closes its database when the port is taken, so the folder opens afterwards', async () => {
    const holderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-folder-holder-'));
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-folder-busy-'));
    try {
      const holder = start(holderDir);
      const port = new URL(await holder.running()).port;
      const refused = start(folder, port);
      expect(await refused.exitCode()).toBe(1);
      expect(refused.output.join('\n')).toMatch(/EADDRINUSE.*another process listens there/);
      expect(fs.existsSync(path.join(folder, 'ordo.lock'))).toBe(false);

      const next = start(folder);
      const url = await next.running();
      expect((await fetch(`${url}/v1/products/MUG-001`)).status).toBe(200);
    } finally {
      for (const process_ of started.splice(0)) await process_.stop();
      for (const dir of [holderDir, folder]) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
