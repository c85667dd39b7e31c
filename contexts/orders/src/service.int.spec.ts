import { randomUUID } from 'node:crypto';
import { catalogEventSchemas, productStream } from '@ordo/catalog-contract';
import { eventsOf, issueCommand, recordEvent, startTestHost, type TestHost } from '@ordo/host/testing';
import { sqlDeadLetterStore } from '@ordo/messaging';
import { orderStream, type OrdersCommandMessage } from '@ordo/orders-contract';
import { eventually } from '@ordo/testing';
import { startCustomersPeer, type CustomersPeer } from '../test/customers-peer';
import { orderState } from '../test/order-state';
import { ordersService } from './service';

// Orders as a host mounts it in embedded mode: its store and its tables on PGlite, the
// embedded bus, a real HTTP server. Stand-in catalog and sagas stores on the same hub
// feed the price table and send ConfirmOrder / RejectOrder, as the real ones would.
const at = '2025-03-01T10:00:00.000Z';

describe('the orders service', () => {
  let host: TestHost<'catalog' | 'sagas'>;
  let customers: CustomersPeer;
  let customerId: string;

  beforeAll(async () => {
    customers = await startCustomersPeer();
    customerId = await customers.register();
    host = await startTestHost({
      service: ordersService,
      peers: customers.peers,
      standIns: { catalog: { registry: catalogEventSchemas }, sagas: {} },
      clock: () => new Date(at),
      // As embedded mode mounts it: an anonymous caller places and reads its own orders.
      anonymousCustomers: true,
    });
  });

  afterAll(async () => {
    await host?.close();
    await customers?.host.close();
  });

  // ---- HTTP ----
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${host.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const placeOrder = (lines: unknown, headers: Record<string, string> = {}) =>
    call('/v1/orders', { method: 'POST', body: JSON.stringify({ customerId, lines }), headers: { 'content-type': 'application/json', ...headers } });
  const orderStatus = async (orderId: string) => (await orderState(host.store, orderId)).state.status;

  // ---- the stand-in catalog: its events reach the price table through the bus ----
  const catalogEvent = (sku: string, type: string, data: object) =>
    recordEvent(host.standIns.catalog, { stream: productStream(sku), type, data: { sku, ...data, at } });
  const priceIs = (sku: string, priceCents: number) =>
    eventually(async () => (await call(`/v1/prices/${sku}`)).body?.priceCents === priceCents, `${sku} at ${priceCents}`);

  // ---- the stand-in saga: a CommandIssued the relay routes to ordo.orders.commands ----
  const issue = (orderId: string, type: OrdersCommandMessage['type'], data: object, commandId?: string) =>
    issueCommand(host.standIns.sagas, { target: 'orders', key: orderId, type, data: { orderId, ...data }, commandId, correlationId: `saga-${orderId}` });
  const eventsOfOrder = (orderId: string) => eventsOf(host.store, orderStream(orderId));

  beforeAll(async () => {
    await catalogEvent('MUG-1', 'ProductAdded', { name: 'Mug', priceCents: 1250 });
    await catalogEvent('TEE-1', 'ProductAdded', { name: 'T-shirt', priceCents: 1999 });
    await priceIs('TEE-1', 1999);
  });

  it('describes its routes in its OpenAPI document', async () => {
    // What /docs/json serves (its route belongs to the UI, stubbed above).
    const body = host.server.swagger() as { info: object; paths: Record<string, unknown> };
    expect(body.info).toMatchObject({ title: 'Orders', version: '1.0.0' });
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/v1/orders', '/v1/orders/{id}/cancellation', '/v1/prices/{sku}']));
  });

  it('keeps its own copy of the catalog prices', async () => {
    expect((await call('/v1/prices/MUG-1')).body).toEqual({ sku: 'MUG-1', name: 'Mug', priceCents: 1250 });
    const unknown = await call('/v1/prices/NOPE-1');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('prices each line from its price table; a later price change prices new orders only', async () => {
    const key = randomUUID();
    const first = await placeOrder(
      [
        { sku: 'MUG-1', quantity: 2 },
        { sku: 'TEE-1', quantity: 1 },
      ],
      { 'idempotency-key': key },
    );
    expect(first.status).toBe(201);
    const { orderId } = first.body;
    expect(first.body).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      status: 'pending',
      lines: [
        { sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 },
        { sku: 'TEE-1', quantity: 1, unitPriceCents: 1999 },
      ],
      totalCents: 4499,
    });
    expect(first.headers.get('location')).toBe(`/v1/orders/${orderId}`);
    expect(first.headers.get('etag')).toBe(`"order-${orderId}:0"`);
    expect((await eventsOfOrder(orderId)).map((e) => e.type)).toEqual(['OrderPlaced']);

    await catalogEvent('MUG-1', 'PriceChanged', { priceCents: 1400, previousPriceCents: 1250 });
    await priceIs('MUG-1', 1400);
    const second = await placeOrder([{ sku: 'MUG-1', quantity: 1 }]);
    expect(second.body).toMatchObject({ lines: [{ sku: 'MUG-1', quantity: 1, unitPriceCents: 1400 }], totalCents: 1400 });
    expect(second.body.orderId).not.toBe(orderId);
    expect((await orderState(host.store, orderId)).state).toMatchObject({ totalCents: 4499 });

    // The same Idempotency-Key is the same order: its first answer, not a second order at the new price.
    const retried = await placeOrder(
      [
        { sku: 'MUG-1', quantity: 2 },
        { sku: 'TEE-1', quantity: 1 },
      ],
      { 'idempotency-key': key },
    );
    expect(retried).toMatchObject({ status: 201, body: first.body });
    expect(await eventsOfOrder(orderId)).toHaveLength(1);
  });

  it('records the card token given in OrderPlaced for the saga, and never shows it', async () => {
    const response = await call('/v1/orders', {
      method: 'POST',
      body: JSON.stringify({ customerId, lines: [{ sku: 'MUG-1', quantity: 1 }], cardToken: 'tok_visa' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(201);
    expect(JSON.stringify(response.body)).not.toContain('tok_visa');
    const [placed] = await eventsOfOrder(response.body.orderId);
    expect(placed?.data).toMatchObject({ orderId: response.body.orderId, cardToken: 'tok_visa' });
    // Without one the order is placed all the same, and OrderPlaced has no cardToken.
    const without = await placeOrder([{ sku: 'MUG-1', quantity: 1 }]);
    expect(without.status).toBe(201);
    expect((await eventsOfOrder(without.body.orderId))[0]?.data).not.toHaveProperty('cardToken');
  });

  it('answers 400 naming each unknown sku as a failing field', async () => {
    const response = await placeOrder([
      { sku: 'MUG-1', quantity: 1 },
      { sku: 'NOPE-9', quantity: 1 },
      { sku: 'GONE-2', quantity: 3 },
    ]);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual([
      { in: 'body', path: '/lines/1/sku', message: 'unknown sku NOPE-9' },
      { in: 'body', path: '/lines/2/sku', message: 'unknown sku GONE-2' },
    ]);
  });

  it('answers 400 with the failing fields of a bad body', async () => {
    const paths = async (lines: unknown, extra: object = {}) => {
      const response = await call('/v1/orders', {
        method: 'POST',
        body: JSON.stringify({ customerId, lines, ...extra }),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      return response.body.errors.map((error: { in: string; path: string }) => `${error.in} ${error.path}`);
    };
    expect(await paths([])).toEqual(['body /lines']);
    expect(
      await paths([
        { sku: 'mug', quantity: 1 },
        { sku: 'TEE-1', quantity: 0 },
        { sku: 'TEE-2', quantity: 1.5 },
        { sku: 'TEE-3', quantity: 1001 },
      ]),
    ).toEqual(['body /lines/0/sku', 'body /lines/1/quantity', 'body /lines/2/quantity', 'body /lines/3/quantity']);
    expect(
      await paths([
        { sku: 'MUG-1', quantity: 1 },
        { sku: 'MUG-1', quantity: 2 },
      ]),
    ).toEqual(['body /lines/1/sku']);
    expect(await paths([{ sku: 'MUG-1', quantity: 1, price: 1 }], { customer: 'x' })).toEqual(expect.arrayContaining(['body /', 'body /lines/0']));
    expect(await paths(Array.from({ length: 51 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })))).toEqual(['body /lines']);
    expect(await paths([{ sku: 'MUG-1', quantity: 1 }], { cardToken: '' })).toEqual(['body /cardToken']);
    expect(await paths([{ sku: 'MUG-1', quantity: 1 }], { cardToken: 't'.repeat(201) })).toEqual(['body /cardToken']);
    expect(await paths([{ sku: 'MUG-1', quantity: 1 }], { cardToken: 42 })).toEqual(['body /cardToken']);
  });

  it('confirms and rejects orders on the commands a saga sends, once per command id', async () => {
    const confirmed = (await placeOrder([{ sku: 'TEE-1', quantity: 1 }])).body.orderId;
    const rejected = (await placeOrder([{ sku: 'MUG-1', quantity: 5 }])).body.orderId;

    const confirmId = await issue(confirmed, 'ConfirmOrder', {});
    await eventually(async () => (await orderStatus(confirmed)) === 'confirmed', 'the order confirmed');
    const [, confirmation] = await eventsOfOrder(confirmed);
    // A reply names its command and carries the saga's correlation id: how the saga finds it.
    expect(confirmation).toMatchObject({
      type: 'OrderConfirmed',
      data: { orderId: confirmed, at },
      metadata: { commandId: confirmId, correlationId: `saga-${confirmed}` },
    });

    // The same command again (a saga re-issuing after a timeout), then a command for
    // another order: once that one is handled, the repeat has been too.
    await issue(confirmed, 'ConfirmOrder', {}, confirmId);
    await issue(rejected, 'RejectOrder', { reason: 'insufficient stock for MUG-1: 3 available, 5 requested' });
    await eventually(async () => (await orderStatus(rejected)) === 'rejected', 'the other order rejected');
    expect(await eventsOfOrder(confirmed)).toHaveLength(2);
    expect((await orderState(host.store, confirmed)).revision).toBe(1n);

    const read = await orderState(host.store, rejected);
    expect(read.state).toMatchObject({ status: 'rejected', reason: 'insufficient stock for MUG-1: 3 available, 5 requested', totalCents: 7000 });
    expect(read.revision).toBe(1n);
    expect(await sqlDeadLetterStore(host.sql, { schema: host.schema }).listParked('orders-commands')).toEqual([]);
  });

  it('parks a command the order refuses, since the flow never sends one', async () => {
    const orderId = (await placeOrder([{ sku: 'TEE-1', quantity: 1 }])).body.orderId;
    await issue(orderId, 'RejectOrder', { reason: 'payment declined' });
    await eventually(async () => (await orderStatus(orderId)) === 'rejected', 'the order rejected');
    await issue(orderId, 'ConfirmOrder', {});
    const parked = await eventually(async () => {
      const keys = await sqlDeadLetterStore(host.sql, { schema: host.schema }).listParked('orders-commands');
      return keys.length > 0 ? keys : undefined;
    }, 'the command parked');
    expect(parked).toEqual([expect.objectContaining({ key: orderId, messages: 1, firstError: expect.stringContaining('cannot be confirmed') })]);
    expect(await eventsOfOrder(orderId)).toHaveLength(2);
  });
});
