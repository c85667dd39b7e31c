import { randomUUID } from 'node:crypto';
import type { EventStore } from '@ordo/eventstore';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import { formatETag } from '@ordo/http';
import { inventoryEventSchemas, stockStream } from '@ordo/inventory-contract';
import { rebuildProjection, storeFeed } from '@ordo/projections';
import { inventoryViewProjection } from './projection';
import { inventoryViewService } from './service';

// The inventory view as the host mounts it: a stand-in inventory store publishes on the
// embedded bus, the projection folds its events into one row per sku, the routes read it.
// Each read after a write sends the write's position in Read-After, as a client does.

const TOKENS = new Map([
  ['token-viewer', { subject: 'support', roles: ['viewer' as const] }],
  ['token-customer', { subject: 'customer-a', roles: ['customer' as const] }],
]);
const AT = '2026-11-30T10:00:00.000Z';

describe.each(['postgres', 'pglite'] as const)('the inventory view on %s', (database) => {
  let host: TestHost<'inventory'>;
  const previous = process.env.READ_AFTER_TIMEOUT_MS;
  // Skus of this run only, so the list shows no other's.
  const prefix = `SKU-${randomUUID().slice(0, 8).toUpperCase()}`;

  beforeAll(async () => {
    process.env.READ_AFTER_TIMEOUT_MS = '2000';
    host = await startTestHost({ service: inventoryViewService, database, standIns: { inventory: { registry: inventoryEventSchemas } }, authTokens: TOKENS });
  });
  afterAll(async () => {
    // Assigning undefined would store the string 'undefined'.
    if (previous === undefined) delete process.env.READ_AFTER_TIMEOUT_MS;
    else process.env.READ_AFTER_TIMEOUT_MS = previous;
    await host?.close();
  });

  /** Appends a stock event as inventory records it; resolves to the position its command would answer with. */
  const record = async (sku: string, type: string, data: object): Promise<string> => {
    const commandId = randomUUID();
    const event = {
      id: randomUUID(),
      type,
      data: { sku, ...data, at: AT },
      metadata: { correlationId: commandId, causationId: commandId, commandId, schemaVersion: 1 },
    };
    const { nextExpectedRevision } = await (host.standIns.inventory as EventStore).appendToStream(stockStream(sku), [event], { expectedRevision: 'any' });
    return formatETag({ stream: stockStream(sku), revision: nextExpectedRevision });
  };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${host.url}${path}`, { headers });
  const asViewer = { authorization: 'Bearer token-viewer' };

  it('answers a sku’s stock right after a write, with which orders hold it for viewers only', async () => {
    const sku = `${prefix}-A`;
    const orderId = randomUUID();
    await record(sku, 'StockAdded', { quantity: 10 });
    const position = await record(sku, 'StockReserved', { orderId, quantity: 3 });
    const viewed = await get(`/v1/stock/${sku}`, { ...asViewer, 'read-after': position });
    expect(viewed.status).toBe(200);
    expect(viewed.headers.get('etag')).toBe(position);
    expect(await viewed.json()).toEqual({ sku, added: 10, onHand: 10, available: 7, reserved: 3, dispatched: 0, reservations: [{ orderId, quantity: 3 }] });
    expect(viewed.headers.get('vary')).toMatch(/authorization/i);
    const numbersOnly = { sku, added: 10, onHand: 10, available: 7, reserved: 3, dispatched: 0 };
    expect(await (await get(`/v1/stock/${sku}`)).json()).toEqual(numbersOnly);
    expect(await (await get(`/v1/stock/${sku}`, { authorization: 'Bearer token-customer' })).json()).toEqual(numbersOnly);
    expect((await get(`/v1/stock/${sku}`, { 'if-none-match': position })).status).toBe(304);
  });

  it('moves committed stock out of the warehouse', async () => {
    const sku = `${prefix}-B`;
    const orderId = randomUUID();
    await record(sku, 'StockAdded', { quantity: 5 });
    await record(sku, 'StockReserved', { orderId, quantity: 2 });
    const committed = await record(sku, 'StockCommitted', { orderId, quantity: 2 });
    expect(await (await get(`/v1/stock/${sku}`, { ...asViewer, 'read-after': committed })).json()).toMatchObject({
      added: 5,
      onHand: 3,
      available: 3,
      reserved: 0,
      dispatched: 2,
      reservations: [],
    });
  });

  it('keeps a row per order holding stock, across batches: a second reservation takes nothing, a release frees it', async () => {
    const sku = `${prefix}-E`;
    const [first, second, third] = ['order-b', 'order-a', 'order-c'];
    await record(sku, 'StockAdded', { quantity: 10 });
    await record(sku, 'StockReserved', { orderId: first, quantity: 3 });
    const reservedTwice = await record(sku, 'StockReserved', { orderId: first, quantity: 3 });
    expect(await (await get(`/v1/stock/${sku}`, { ...asViewer, 'read-after': reservedTwice })).json()).toMatchObject({
      available: 7,
      reserved: 3,
      reservations: [{ orderId: first, quantity: 3 }],
    });
    await record(sku, 'StockReserved', { orderId: second, quantity: 2 });
    await record(sku, 'StockReserved', { orderId: third, quantity: 1 });
    const released = await record(sku, 'StockReleased', { orderId: first, quantity: 3 });
    const other = `${prefix}-F`;
    await record(other, 'StockAdded', { quantity: 4 });
    const elsewhere = await record(other, 'StockReserved', { orderId: second, quantity: 4 });
    await get(`/v1/stock/${other}`, { 'read-after': elsewhere });
    expect(await (await get(`/v1/stock/${sku}`, { ...asViewer, 'read-after': released })).json()).toMatchObject({
      available: 7,
      reserved: 3,
      reservations: [
        { orderId: second, quantity: 2 },
        { orderId: third, quantity: 1 },
      ],
    });
    const page = (await (await get(`/v1/stock?limit=2&after=${prefix}-D`, asViewer)).json()) as { items: { sku: string; reservations: unknown[] }[] };
    expect(page.items.map(({ sku: listed, reservations }) => [listed, reservations.length])).toEqual([
      [sku, 2],
      [other, 1],
    ]);
  });

  it('answers 404 for a sku with no stock events, and 503 with how far behind when a write does not arrive in time', async () => {
    expect((await get(`/v1/stock/${prefix}-NONE`)).status).toBe(404);
    const sku = `${prefix}-C`;
    await record(sku, 'StockAdded', { quantity: 1 });
    const behind = await get(`/v1/stock/${sku}`, { 'read-after': `"stock-${sku}:3"` });
    expect(behind.status).toBe(503);
    expect(behind.headers.get('retry-after')).toBe('1');
    expect(await behind.json()).toMatchObject({ stream: `stock-${sku}`, wanted: 3, applied: 0, behind: 3 });
    expect((await get(`/v1/stock/${sku}`, { 'read-after': '"order-1:0"' })).status).toBe(400);
  });

  it('lists skus in order, paged', async () => {
    const last = await record(`${prefix}-D`, 'StockAdded', { quantity: 1 });
    await get(`/v1/stock/${prefix}-D`, { 'read-after': last });
    const skus: string[] = [];
    let after: string | null = `${prefix}-`;
    while (after !== null) {
      const page = (await (await get(`/v1/stock?limit=2&after=${after}`)).json()) as { items: { sku: string }[]; next: string | null };
      skus.push(...page.items.map((item) => item.sku));
      after = page.next;
    }
    expect(skus.filter((sku) => sku.startsWith(prefix))).toEqual([`${prefix}-A`, `${prefix}-B`, `${prefix}-C`, `${prefix}-D`, `${prefix}-E`, `${prefix}-F`]);
  });

  it('rebuilds from the store into the same tables: counts and reservations', async () => {
    const rebuilt = await rebuildProjection(inventoryViewProjection, {
      sql: host.sql,
      schema: host.schema,
      source: storeFeed([{ name: 'inventory', store: host.standIns.inventory as EventStore }]),
      dryRun: true,
      // PGlite's one connection: the catch-up runs before the comparison, not under its lock.
      exclusive: database === 'pglite',
    });
    expect(rebuilt.events).toBe(15); // every event the specs above recorded
    expect(rebuilt.diff).toMatchObject({ added: 0, changed: 0, removed: 0 });
  });
});
