import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { catalogEventSchemas, productStream } from '@ordo/catalog-contract';
import { eventIdFor } from '@ordo/eventstore';
import { eventsOf, startTestHost, type TestHost } from '@ordo/host/testing';
import { orderStream } from '@ordo/orders-contract';
import { eventually } from '@ordo/testing';
import { startCustomersPeer, type CustomersPeer } from '../test/customers-peer';
import { TOKENS } from '../test/principals';
import { ordersService } from './service';

// Who may place an order, on orders as a host mounts it: with tokens only (standalone),
// and with anonymous callers acting as customers (embedded). An order is placed for a
// customer the caller registered (any customer by an operator), and records the caller as
// its owner: the orders view (read-models/orders-view) shows it to that owner and to
// viewers and above only, as its own spec shows.
const at = '2025-03-01T10:00:00.000Z';
const LINES = [{ sku: 'MUG-1', quantity: 1 }];

interface Answer {
  status: number;
  contentType: string | undefined;
  body: { id?: string; orderId?: string; status?: number; detail?: string } | undefined;
}

/** A request from a chosen loopback address, optionally with a bearer token: each address is another anonymous caller. */
const request = (
  url: string,
  {
    from = '127.0.0.1',
    token,
    method = 'GET',
    headers = {},
    body,
  }: { from?: string; token?: string; method?: string; headers?: Record<string, string>; body?: unknown } = {},
) =>
  new Promise<Answer>((resolve, reject) => {
    const sent = body === undefined ? undefined : JSON.stringify(body);
    const allHeaders = { ...headers, ...(token && { authorization: `Bearer ${token}` }), ...(sent !== undefined && { 'content-type': 'application/json' }) };
    const outgoing = http.request(url, { method, headers: allHeaders, localAddress: from }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body: text ? JSON.parse(text) : undefined }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(sent);
  });

const startOrders = async (anonymousCustomers: boolean, customers: CustomersPeer) => {
  const host = await startTestHost<'catalog' | 'sagas'>({
    service: ordersService,
    peers: customers.peers,
    standIns: { catalog: { registry: catalogEventSchemas }, sagas: {} },
    clock: () => new Date(at),
    authTokens: TOKENS,
    anonymousCustomers,
  });
  const metadata = { correlationId: 'seed', causationId: 'seed', commandId: 'seed-mug', schemaVersion: 1 };
  await host.standIns.catalog.appendToStream(
    productStream('MUG-1'),
    [{ id: eventIdFor('seed-mug', 0), type: 'ProductAdded', data: { sku: 'MUG-1', name: 'Mug', priceCents: 1250, at }, metadata }],
    {
      expectedRevision: 'any',
    },
  );
  await eventually(async () => (await request(`${host.url}/v1/prices/MUG-1`)).status === 200, 'the price of MUG-1');
  return host;
};

describe('who may place and read an order', () => {
  let withTokens: TestHost<'catalog' | 'sagas'>;
  let embedded: TestHost<'catalog' | 'sagas'>;
  let customers: CustomersPeer;
  // The customer each caller registered: customer-a, customer-b, and the anonymous callers at 127.0.0.1 and 127.0.0.2.
  const customerOf = { a: '', b: '', first: '', second: '' };

  beforeAll(async () => {
    customers = await startCustomersPeer(TOKENS);
    customerOf.a = await customers.register({ token: 'token-a' });
    customerOf.b = await customers.register({ token: 'token-b' });
    customerOf.first = await customers.register();
    const second = await request(`${customers.host.url}/v1/customers`, { method: 'POST', from: '127.0.0.2', body: customers.signUp() });
    if (second.status !== 201 || !second.body?.id) throw new Error(`customers refused the registration from 127.0.0.2: ${second.status}`);
    customerOf.second = second.body.id;
    withTokens = await startOrders(false, customers);
    embedded = await startOrders(true, customers);
  });
  afterAll(async () => {
    await withTokens?.close();
    await embedded?.close();
    await customers?.host.close();
  });

  const place = (host: TestHost<'catalog' | 'sagas'>, customerId: string, options: { from?: string; token?: string; key?: string } = {}) =>
    request(`${host.url}/v1/orders`, {
      method: 'POST',
      body: { customerId, lines: LINES },
      from: options.from,
      token: options.token,
      headers: options.key ? { 'idempotency-key': options.key } : {},
    });
  /** Who the order records as its owner: the caller scope its OrderPlaced names. */
  const ownerOf = async (host: TestHost<'catalog' | 'sagas'>, orderId: string) =>
    ((await eventsOf(host.store, orderStream(orderId)))[0]?.data as { owner?: string } | undefined)?.owner;
  const appended = async (host: TestHost<'catalog' | 'sagas'>) =>
    Number((await host.sql.query<{ count: string }>(`select count(*) from ${host.schema}.events`)).rows[0]?.count);
  const placedId = (answer: Answer): string => {
    expect(answer.status).toBe(201);
    const orderId = answer.body?.orderId;
    if (!orderId) throw new Error(`no order id in ${JSON.stringify(answer.body)}`);
    return orderId;
  };

  it('records the customer who placed an order as its owner', async () => {
    const orderId = placedId(await place(withTokens, customerOf.a, { token: 'token-a' }));
    expect(await ownerOf(withTokens, orderId)).toBe('customer-a');
  });

  it("answers an order for someone else's customer as for an unknown customer, appending nothing; an operator may place it", async () => {
    const before = await appended(withTokens);
    const unknownId = randomUUID();
    const unknown = await place(withTokens, unknownId, { token: 'token-b' });
    expect(unknown).toMatchObject({
      status: 400,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { detail: `customers knows no customer ${unknownId}` },
    });
    // With the ids taken out, the answers are the same to the letter: none says the customer exists.
    const withoutId = (answer: Answer, customerId: string) => `${answer.status} ${JSON.stringify(answer.body).replaceAll(customerId, '<id>')}`;
    const othersCustomer = [
      await place(withTokens, customerOf.a, { token: 'token-b' }),
      // A viewer may read every customer, but it does not act for them.
      await place(withTokens, customerOf.a, { token: 'token-viewer' }),
    ];
    for (const refused of othersCustomer) expect(withoutId(refused, customerOf.a)).toBe(withoutId(unknown, unknownId));
    expect(await appended(withTokens)).toBe(before);

    const byOperator = placedId(await place(withTokens, customerOf.a, { token: 'token-ops' }));
    expect((await eventsOf(withTokens.store, orderStream(byOperator)))[0]?.data).toMatchObject({ owner: 'ops', customerId: customerOf.a });

    // Embedded, each address is its own anonymous caller: one may not order for another's customer.
    expect((await place(embedded, customerOf.first, { from: '127.0.0.2' })).status).toBe(400);
    expect((await place(embedded, customerOf.second, { from: '127.0.0.2' })).status).toBe(201);
  });

  it('refuses an anonymous caller unless the host lets anonymous callers act as customers, then owned by its address', async () => {
    const anonymousPlace = await place(withTokens, customerOf.first);
    expect(anonymousPlace).toMatchObject({ status: 401, contentType: expect.stringMatching(/^application\/problem\+json/) });

    const anonymousId = placedId(await place(embedded, customerOf.first));
    expect(await ownerOf(embedded, anonymousId)).toBe('address:127.0.0.1');
  });

  it('gives two customers who send the same Idempotency-Key two orders, and one customer the same order again', async () => {
    const key = `same-key-${randomUUID()}`;
    const ofA = placedId(await place(withTokens, customerOf.a, { token: 'token-a', key }));
    const ofB = placedId(await place(withTokens, customerOf.b, { token: 'token-b', key }));
    expect(ofB).not.toBe(ofA);
    expect(placedId(await place(withTokens, customerOf.a, { token: 'token-a', key }))).toBe(ofA);
    expect([await ownerOf(withTokens, ofA), await ownerOf(withTokens, ofB)]).toEqual(['customer-a', 'customer-b']);
  });

  it('gives two anonymous callers from two addresses who send the same Idempotency-Key two orders, each its own', async () => {
    const key = `same-key-${randomUUID()}`;
    const first = placedId(await place(embedded, customerOf.first, { from: '127.0.0.1', key }));
    const second = placedId(await place(embedded, customerOf.second, { from: '127.0.0.2', key }));
    expect(second).not.toBe(first);
    expect([await ownerOf(embedded, first), await ownerOf(embedded, second)]).toEqual(['address:127.0.0.1', 'address:127.0.0.2']);
  });
});
