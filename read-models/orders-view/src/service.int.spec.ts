import { randomUUID } from 'node:crypto';
import { formatETag } from '@ordo/http';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import type { EventStore } from '@ordo/eventstore';
import { orderStream, ordersEventSchemas } from '@ordo/orders-contract';
import { paymentStream, paymentsEventSchemas } from '@ordo/payments-contract';
import { shipmentStream, shippingEventSchemas } from '@ordo/shipping-contract';
import { ordersViewService } from './service';

// The orders view as the host mounts it: stand-in orders, payments and shipping stores
// publish on the embedded bus, the projection folds them into its table, the routes read
// it. Every read after a write sends the write's position in Read-After, as a client
// does right after a POST: the answer holds the write, with no polling.

const READ_AFTER_TIMEOUT_MS = 2000;
const TOKENS = new Map([
  ['token-a', { subject: 'customer-a', roles: ['customer' as const] }],
  ['token-b', { subject: 'customer-b', roles: ['customer' as const] }],
  ['token-viewer', { subject: 'support', roles: ['viewer' as const] }],
]);
const as = (token: string, headers: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${token}`, ...headers } });
const customerOne = randomUUID();

describe.each(['postgres', 'pglite'] as const)('the orders view on %s', (database) => {
  let host: TestHost<'orders' | 'payments' | 'shipping'>;
  const previous = process.env.READ_AFTER_TIMEOUT_MS;

  beforeAll(async () => {
    process.env.READ_AFTER_TIMEOUT_MS = String(READ_AFTER_TIMEOUT_MS);
    host = await startTestHost({
      service: ordersViewService,
      database,
      standIns: { orders: { registry: ordersEventSchemas }, payments: { registry: paymentsEventSchemas }, shipping: { registry: shippingEventSchemas } },
      authTokens: TOKENS,
    });
  });
  afterAll(async () => {
    // Assigning undefined would store the string 'undefined'.
    if (previous === undefined) delete process.env.READ_AFTER_TIMEOUT_MS;
    else process.env.READ_AFTER_TIMEOUT_MS = previous;
    await host?.close();
  });

  /** Appends an event as its context records it; resolves to the position a command would answer with. */
  const record = async (store: EventStore, stream: string, type: string, data: object): Promise<string> => {
    const commandId = randomUUID();
    const event = { id: randomUUID(), type, data, metadata: { correlationId: commandId, causationId: commandId, commandId, schemaVersion: 1 } };
    const { nextExpectedRevision } = await store.appendToStream(stream, [event], { expectedRevision: 'any' });
    return formatETag({ stream, revision: nextExpectedRevision });
  };
  const place = (orderId: string, { owner = 'customer-a', customerId = customerOne, sku = 'SKU-1', at = '2026-11-30T10:00:00.000Z' } = {}) =>
    record(host.standIns.orders, orderStream(orderId), 'OrderPlaced', {
      orderId,
      owner,
      customerId,
      lines: [{ sku, quantity: 2, unitPriceCents: 500 }],
      totalCents: 1000,
      at,
    });
  const get = (path: string, token = 'token-viewer', headers: Record<string, string> = {}) => fetch(`${host.url}${path}`, as(token, headers));

  it('answers an order right after it was placed, given the position its placement answered with', async () => {
    const orderId = randomUUID();
    const position = await place(orderId);
    const response = await get(`/v1/orders/${orderId}`, 'token-a', { 'read-after': position });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"order-${orderId}:0"`);
    expect(await response.json()).toEqual({
      orderId,
      customerId: customerOne,
      status: 'pending',
      lines: [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 500 }],
      totalCents: 1000,
      placedAt: '2026-11-30T10:00:00.000Z',
    });
    expect((await get(`/v1/orders/${orderId}`, 'token-a', { 'if-none-match': position })).status).toBe(304);
  });

  it('shows the payment and the shipment beside the order, and the order’s later status', async () => {
    const orderId = randomUUID();
    const placed = await place(orderId);
    const authorized = await record(host.standIns.payments, paymentStream(orderId), 'PaymentAuthorized', {
      orderId,
      authorizationId: 'auth-1',
      amountCents: 1000,
      currency: 'EUR',
      at: '2026-11-30T10:01:00.000Z',
    });
    await record(host.standIns.shipping, shipmentStream(orderId), 'ShipmentScheduled', {
      orderId,
      shipmentId: 'ship-1',
      address: { line1: '1 Main St', city: 'Ghent', postalCode: '9000', country: 'BE' },
      lines: [{ sku: 'SKU-1', quantity: 2 }],
      at: '2026-11-30T10:02:00.000Z',
    });
    const confirmed = await record(host.standIns.orders, orderStream(orderId), 'OrderConfirmed', { orderId, at: '2026-11-30T10:03:00.000Z' });
    // The three streams reach the view on their own topics, in no set order, and Read-After
    // waits for one position: the placement and the payment are awaited before the shipment.
    expect((await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': placed })).status).toBe(200);
    expect((await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': authorized })).status).toBe(200);
    const shipped = await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': `"shipment-${orderId}:0"` });
    expect(await shipped.json()).toMatchObject({ shipment: { status: 'scheduled', shipmentId: 'ship-1' } });
    const answer = await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': confirmed });
    expect(answer.headers.get('etag')).toBe(confirmed);
    expect(await answer.json()).toMatchObject({
      status: 'confirmed',
      confirmedAt: '2026-11-30T10:03:00.000Z',
      payment: { status: 'authorized' },
      shipment: { status: 'scheduled', shipmentId: 'ship-1' },
    });
  });

  it('knows no order that only its payment has touched', async () => {
    const orderId = randomUUID();
    const declined = await record(host.standIns.payments, paymentStream(orderId), 'PaymentDeclined', {
      orderId,
      amountCents: 1000,
      currency: 'EUR',
      reason: 'card declined',
      at: '2026-11-30T10:00:00.000Z',
    });
    expect((await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': declined })).status).toBe(404);
  });

  it('shows an order to whoever placed it and to viewers only', async () => {
    const orderId = randomUUID();
    const position = await place(orderId);
    expect((await get(`/v1/orders/${orderId}`, 'token-a', { 'read-after': position })).status).toBe(200);
    expect((await get(`/v1/orders/${orderId}`, 'token-b')).status).toBe(404);
    expect((await get(`/v1/orders/${orderId}`, 'token-viewer')).status).toBe(200);
    expect((await fetch(`${host.url}/v1/orders/${orderId}`)).status).toBe(401);
    expect((await fetch(`${host.url}/v1/orders`)).status).toBe(401);
  });

  it('answers 503 with how far behind it is when the revision asked for does not come within the bound', async () => {
    const orderId = randomUUID();
    await place(orderId);
    const response = await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': `"order-${orderId}:5"` });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ stream: `order-${orderId}`, wanted: 5, applied: 0, behind: 5 });
  });

  it('tells viewers its projection’s version, state and lag, in /v1/projections and /metrics', async () => {
    const orderId = randomUUID();
    await get(`/v1/orders/${orderId}`, 'token-viewer', { 'read-after': await place(orderId) });
    const response = await get('/v1/projections');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ projections: [{ name: 'orders-view', version: 1, state: 'live', eventsBehind: 0, secondsBehind: 0 }] });
    expect((await get('/v1/projections', 'token-a')).status).toBe(403);
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('ordo_projection_lag_events{projection="orders-view",service="orders-view"} 0');
    expect(metrics).toContain('ordo_projection_lag_seconds{projection="orders-view",service="orders-view"} 0');
  });

  it('refuses a Read-After of a stream it does not hold, naming the header', async () => {
    const response = await get(`/v1/orders/${randomUUID()}`, 'token-viewer', { 'read-after': '"stock-SKU-1:3"' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ in: 'headers', path: '/read-after' }] });
  });

  describe('lists', () => {
    // Their own customer and sku, so other cases' orders do not show.
    const customer = randomUUID();
    const sku = `SKU-LIST-${database.toUpperCase()}`;
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const minute = (index: number) => `2026-12-01T10:0${index}:00.000Z`;

    beforeAll(async () => {
      const positions: string[] = [];
      for (const [index, orderId] of ids.entries())
        positions.push(await place(orderId, { customerId: customer, sku, at: minute(index), owner: index < 3 ? 'customer-a' : 'customer-b' }));
      positions.push(
        await record(host.standIns.orders, orderStream(ids[1] as string), 'OrderRejected', { orderId: ids[1], reason: 'no stock', at: minute(6) }),
      );
      // The last write in Read-After: every earlier one of its stream is in too, and the others were appended before it.
      for (const position of positions) expect((await get('/v1/orders?limit=1', 'token-viewer', { 'read-after': position })).status).toBe(200);
    });

    const list = async (query: string, token = 'token-viewer') => {
      const response = await get(`/v1/orders?customer=${customer}&${query}`, token);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { items: { orderId: string }[]; next: string | null };
      return { ids: page.items.map((item) => item.orderId), next: page.next };
    };

    it('pages newest placed first, with an opaque cursor to the next page', async () => {
      const first = await list('limit=2');
      expect(first.ids).toEqual([ids[4], ids[3]]);
      const second = await list(`limit=2&after=${first.next}`);
      expect(second.ids).toEqual([ids[2], ids[1]]);
      const last = await list(`limit=2&after=${second.next}`);
      expect(last).toEqual({ ids: [ids[0]], next: null });
    });

    it('filters by status, sku and time', async () => {
      expect((await list('status=rejected')).ids).toEqual([ids[1]]);
      expect((await list(`sku=${sku}`)).ids).toHaveLength(5);
      expect((await list('sku=SKU-NOT-ORDERED')).ids).toEqual([]);
      expect((await list(`placedFrom=${minute(1)}&placedTo=${minute(3)}`)).ids).toEqual([ids[2], ids[1]]);
    });

    it('lists a customer’s own orders only', async () => {
      expect((await list('', 'token-a')).ids).toEqual([ids[2], ids[1], ids[0]]);
      expect((await list('', 'token-b')).ids).toEqual([ids[4], ids[3]]);
    });

    it('refuses a limit above 100 and a cursor it did not give, naming the field', async () => {
      const tooMany = await get(`/v1/orders?limit=101`);
      expect(tooMany.status).toBe(400);
      const forged = await get(`/v1/orders?after=not-a-cursor`);
      expect(forged.status).toBe(400);
      expect(await forged.json()).toMatchObject({ errors: [{ in: 'querystring', path: '/after' }] });
    });
  });
});

describe('the orders view where anonymous callers act as customers (embedded mode)', () => {
  let host: TestHost<'orders'>;
  beforeAll(async () => {
    host = await startTestHost({
      service: ordersViewService,
      standIns: { orders: { registry: ordersEventSchemas } },
      authTokens: TOKENS,
      anonymousCustomers: true,
    });
  });
  afterAll(() => host?.close());

  const placeAs = async (owner: string | undefined) => {
    const orderId = randomUUID();
    const data = {
      orderId,
      ...(owner && { owner }),
      lines: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      at: '2026-11-30T10:00:00.000Z',
    };
    const { nextExpectedRevision } = await host.standIns.orders.appendToStream(
      orderStream(orderId),
      [{ id: randomUUID(), type: 'OrderPlaced', data, metadata: { correlationId: orderId, causationId: orderId, schemaVersion: 1 } }],
      { expectedRevision: 'no_stream' },
    );
    return { orderId, position: formatETag({ stream: orderStream(orderId), revision: nextExpectedRevision }) };
  };
  const read = (orderId: string, headers: Record<string, string> = {}) => fetch(`${host.url}/v1/orders/${orderId}`, { headers });

  it('shows an anonymous caller the orders its address placed, and no other', async () => {
    const { orderId, position } = await placeAs('address:127.0.0.1');
    expect((await read(orderId, { 'read-after': position })).status).toBe(200);
    const { orderId: elsewhere, position: placedElsewhere } = await placeAs('address:10.0.0.9');
    expect((await read(elsewhere, { 'read-after': placedElsewhere })).status).toBe(404);
    const listed = (await (await fetch(`${host.url}/v1/orders?limit=100`)).json()) as { items: { orderId: string }[] };
    expect(listed.items.map((item) => item.orderId)).toContain(orderId);
    expect(listed.items.map((item) => item.orderId)).not.toContain(elsewhere);
  });

  it('shows an order recorded without an owner to viewers only', async () => {
    const { orderId, position } = await placeAs(undefined);
    expect((await read(orderId, { 'read-after': position })).status).toBe(404);
    expect((await read(orderId, { ...as('token-a').headers })).status).toBe(404);
    expect((await read(orderId, { ...as('token-viewer').headers })).status).toBe(200);
  });
});
