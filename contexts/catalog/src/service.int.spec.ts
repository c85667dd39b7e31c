import { productStream } from '@ordo/catalog-contract';
import type { RecordedEvent } from '@ordo/eventstore';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import type { ConsumedMessage } from '@ordo/messaging';
import { MAX_PRICE_CENTS } from './http';
import { catalogService } from './service';

// Catalog as the host mounts it in embedded mode: its own store, the embedded bus, a
// real HTTP port; a probe consumer reads `ordo.catalog.events` as orders would.
const NOW = '2025-03-01T10:00:00.000Z';
const OPERATOR_TOKEN = 'catalog-spec-operator';
const JSON_BODY = { 'content-type': 'application/json' };
type Problem = { status: number; detail?: string; errors?: { in: string; path: string; message: string }[] };

describe('catalog, mounted on HTTP and the embedded bus', () => {
  let host: TestHost;
  const published: ConsumedMessage<{ type: string; stream: string; revision: string; data: unknown }>[] = [];

  beforeAll(async () => {
    host = await startTestHost({
      service: catalogService,
      clock: () => new Date(NOW),
      authTokens: new Map([[OPERATOR_TOKEN, { subject: 'ops', roles: ['operator'] }]]),
    });
    await host.bus.consume({
      groupId: 'probe',
      topics: ['ordo.catalog.events'],
      handle: async (message) => void published.push(message as (typeof published)[number]),
    });
  });

  afterAll(() => host?.close());

  // ---- helpers ------------------------------------------------------------------------
  // As an operator, who may list products and change prices (docs/security.md).
  const call = async (method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}) => {
    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}`, ...extraHeaders };
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...JSON_BODY, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const addProduct = (body: unknown, headers?: Record<string, string>) => call('POST', '/v1/products', body, headers);
  const changePrice = (sku: string, priceCents: unknown, headers?: Record<string, string>) => call('PUT', `/v1/products/${sku}/price`, { priceCents }, headers);
  const eventsOf = async (sku: string) => {
    const events: RecordedEvent[] = [];
    for await (const event of host.store.readStream(productStream(sku))) events.push(event);
    return events;
  };

  // ---- listing ----------------------------------------------------------------------------
  it('lists a product: 201, Location, ETag, and the event with the request as its correlation', async () => {
    const response = await addProduct({ sku: 'TEE-1', name: 'T-shirt', priceCents: 1999 }, { 'x-correlation-id': 'req-tee-1' });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/v1/products/TEE-1');
    expect(response.headers.get('etag')).toBe('"product-TEE-1:0"');
    expect(response.body).toEqual({ sku: 'TEE-1', name: 'T-shirt', priceCents: 1999 });

    const [added] = await eventsOf('TEE-1');
    expect(added).toMatchObject({
      type: 'ProductAdded',
      data: { sku: 'TEE-1', name: 'T-shirt', priceCents: 1999, at: NOW },
      metadata: { correlationId: 'req-tee-1', schemaVersion: 1 },
    });
  });

  it('answers 409 for a sku already listed', async () => {
    const response = await addProduct({ sku: 'TEE-1', name: 'Another', priceCents: 5 });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ status: 409, detail: 'product TEE-1 already exists' });
    expect(await eventsOf('TEE-1')).toHaveLength(1);
  });

  it('uses the Idempotency-Key as the command id: a retried listing answers as the first did', async () => {
    const first = await addProduct({ sku: 'MUG-1', name: 'Mug', priceCents: 899 }, { 'idempotency-key': 'list-mug-1' });
    const retry = await addProduct({ sku: 'MUG-1', name: 'Mug', priceCents: 899 }, { 'idempotency-key': 'list-mug-1' });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await eventsOf('MUG-1')).toHaveLength(1);
  });

  it('answers bad input with problem+json naming each failing field', async () => {
    const response = await addProduct({ sku: 'tee 1', name: '', priceCents: 19.99, colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const paths = (response.body as Problem).errors?.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['/sku', '/name', '/priceCents']));
    expect((response.body as Problem).errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/Unrecognized key: "colour"/) })]),
    );
  });

  // The request's bounds are the edge's alone (the decider does not check them again): each is a 400 naming its field, and nothing is appended.
  it.each([
    ['a blank name', '/name', { sku: 'CAP-1', name: '   ', priceCents: 500 }],
    ['a name with a control character', '/name', { sku: 'CAP-1', name: 'Cap\u0007', priceCents: 500 }],
    ['a name of 201 characters', '/name', { sku: 'CAP-1', name: 'x'.repeat(201), priceCents: 500 }],
    ['a price over the most catalog takes', '/priceCents', { sku: 'CAP-1', name: 'Cap', priceCents: MAX_PRICE_CENTS + 1 }],
    ['a negative price', '/priceCents', { sku: 'CAP-1', name: 'Cap', priceCents: -1 }],
  ])('refuses %s with a 400 at %s, listing nothing', async (_what, path, body) => {
    const response = await addProduct(body);
    expect(response.status).toBe(400);
    expect((response.body as Problem).errors).toEqual([expect.objectContaining({ in: 'body', path })]);
    expect(await eventsOf('CAP-1')).toEqual([]);
  });

  it('lists a product at the highest price it takes, its name without surrounding blanks', async () => {
    const response = await addProduct({ sku: 'GOLD-1', name: '  Gold bar ', priceCents: MAX_PRICE_CENTS });
    expect(response).toMatchObject({ status: 201, body: { sku: 'GOLD-1', name: 'Gold bar', priceCents: MAX_PRICE_CENTS } });
    expect((await eventsOf('GOLD-1')).map((event) => event.data)).toEqual([{ sku: 'GOLD-1', name: 'Gold bar', priceCents: MAX_PRICE_CENTS, at: NOW }]);
  });

  // ---- reading ------------------------------------------------------------------------------
  it('reads a product with its ETag, 304 when unchanged, 404 when unknown', async () => {
    const read = await call('GET', '/v1/products/TEE-1');
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"product-TEE-1:0"');
    expect(read.body).toEqual({ sku: 'TEE-1', name: 'T-shirt', priceCents: 1999 });
    expect((await call('GET', '/v1/products/TEE-1', undefined, { 'if-none-match': '"product-TEE-1:0"' })).status).toBe(304);
    expect(await call('GET', '/v1/products/NOPE-1')).toMatchObject({ status: 404, body: { detail: 'product NOPE-1 does not exist' } });
  });

  // ---- pricing ------------------------------------------------------------------------------
  it('changes the price when If-Match names the revision the client saw, and answers 412 when it is stale', async () => {
    const changed = await changePrice('TEE-1', 2499, { 'if-match': '"product-TEE-1:0"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"product-TEE-1:1"');
    expect(changed.body).toEqual({ sku: 'TEE-1', name: 'T-shirt', priceCents: 2499 });

    const stale = await changePrice('TEE-1', 1499, { 'if-match': '"product-TEE-1:0"' });
    expect(stale.status).toBe(412);
    expect((stale.body as Problem).detail).toMatch(/product-TEE-1 is at revision 1, not 0/);

    const otherStream = await changePrice('TEE-1', 1499, { 'if-match': '"product-MUG-1:1"' });
    expect(otherStream.status).toBe(412);

    expect((await eventsOf('TEE-1')).map((event) => event.data)).toEqual([
      expect.objectContaining({ priceCents: 1999 }),
      { sku: 'TEE-1', priceCents: 2499, previousPriceCents: 1999, at: NOW },
    ]);
  });

  it('changes the price without If-Match, and records nothing for the price it already has', async () => {
    expect(await changePrice('TEE-1', 2199)).toMatchObject({ status: 200, body: { priceCents: 2199 } });
    const same = await changePrice('TEE-1', 2199);
    expect(same.status).toBe(200);
    expect(same.headers.get('etag')).toBe('"product-TEE-1:2"');
    expect(await eventsOf('TEE-1')).toHaveLength(3);
  });

  it('answers 404 for the price of an unknown product, and 400 for a bad price, appending nothing', async () => {
    expect(await changePrice('NOPE-1', 100)).toMatchObject({ status: 404, body: { detail: 'product NOPE-1 does not exist' } });
    const before = (await eventsOf('TEE-1')).length;
    for (const priceCents of [-1, 19.99, MAX_PRICE_CENTS + 1, '100']) {
      const bad = await changePrice('TEE-1', priceCents);
      expect(bad.status).toBe(400);
      expect((bad.body as Problem).errors).toEqual([expect.objectContaining({ in: 'body', path: '/priceCents' })]);
    }
    expect(await eventsOf('TEE-1')).toHaveLength(before);
  });

  // ---- publishing ---------------------------------------------------------------------------
  it('publishes its events on ordo.catalog.events, keyed by stream', async () => {
    const tee = () => published.filter((message) => message.key === 'product-TEE-1').map((message) => [message.value.type, message.value.revision]);
    for (const deadline = Date.now() + 10_000; tee().length < 3 && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tee()).toEqual([
      ['ProductAdded', '0'],
      ['PriceChanged', '1'],
      ['PriceChanged', '2'],
    ]);
  });
});
