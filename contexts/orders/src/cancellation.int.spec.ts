import { randomUUID } from 'node:crypto';
import { catalogEventSchemas } from '@ordo/catalog-contract';
import { answersTo, eventsOf, issueCommand, startTestHost, type TestHost } from '@ordo/host/testing';
import { orderStream, type OrderEvent, type OrdersCommandMessage } from '@ordo/orders-contract';
import { orderState } from '../test/order-state';
import { TOKENS } from '../test/principals';
import { ordersService } from './service';

// POST /v1/orders/:id/cancellation on orders as a host mounts it (real PostgreSQL, the
// embedded bus, tokens only): who may ask, what it refuses with problem+json and nothing
// appended, a retried request, and the sagas' commands that end the order cancelled.
const at = '2025-03-01T10:00:00.000Z';
const LINES = [{ sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 }];

describe('cancelling an order over HTTP', () => {
  let host: TestHost<'catalog' | 'sagas'>;

  beforeAll(async () => {
    host = await startTestHost({
      service: ordersService,
      // Cancelling asks customers nothing; placing (not done here) would.
      peers: { urls: { customers: 'http://127.0.0.1:9' }, token: 'unused' },
      standIns: { catalog: { registry: catalogEventSchemas }, sagas: {} },
      clock: () => new Date(at),
      authTokens: TOKENS,
      anonymousCustomers: false,
    });
  });
  afterAll(async () => {
    await host?.close();
  });

  /** An order customer-a placed, then what the sagas made of it. */
  const existing = async (then: ('confirmed' | 'rejected' | 'shipped')[] = []): Promise<string> => {
    const orderId = randomUUID();
    const events: OrderEvent[] = [{ type: 'OrderPlaced', data: { orderId, owner: 'customer-a', lines: LINES, totalCents: 2500, at } }];
    for (const step of then) {
      if (step === 'confirmed') events.push({ type: 'OrderConfirmed', data: { orderId, at } });
      if (step === 'rejected') events.push({ type: 'OrderRejected', data: { orderId, reason: 'out of stock', at } });
      if (step === 'shipped') events.push({ type: 'OrderShipped', data: { orderId, shipmentId: 'shipment-1', at } });
    }
    const metadata = { correlationId: `seed-${orderId}`, causationId: 'seed', schemaVersion: 1 };
    await host.store.appendToStream(
      orderStream(orderId),
      events.map((event) => ({ id: randomUUID(), ...event, metadata })),
      { expectedRevision: 'no_stream' },
    );
    return orderId;
  };
  const cancel = async (orderId: string, { token = 'token-a', body = { reason: 'ordered the wrong size' } as unknown, key = randomUUID() } = {}) => {
    const response = await fetch(`${host.url}/v1/orders/${orderId}/cancellation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      etag: response.headers.get('etag'),
      body: text ? JSON.parse(text) : undefined,
    };
  };
  const typesOf = async (orderId: string) => (await eventsOf(host.store, orderStream(orderId))).map((event) => event.type);
  const sagaSends = (orderId: string, type: OrdersCommandMessage['type'], data: object = {}) =>
    issueCommand(host.standIns.sagas, { target: 'orders', key: orderId, type, data: { orderId, ...data } });

  it('records the owner’s request on a pending order and answers 202 with the cancellation under way', async () => {
    const orderId = await existing();
    const answer = await cancel(orderId);
    expect(answer).toMatchObject({
      status: 202,
      etag: `"order-${orderId}:1"`,
      body: { orderId, status: 'pending', cancellation: { reason: 'ordered the wrong size', requestedAt: at } },
    });
    expect(await typesOf(orderId)).toEqual(['OrderPlaced', 'OrderCancellationRequested']);
    const [, requested] = await eventsOf(host.store, orderStream(orderId));
    expect(requested?.data).toEqual({ orderId, reason: 'ordered the wrong size', by: 'customer-a', at });

    // The placement saga rolls the order back: orders ends it cancelled, with the owner's reason.
    const commandId = await sagaSends(orderId, 'RejectOrder', { reason: 'the order was cancelled: ordered the wrong size' });
    expect((await answersTo(host.store, orderStream(orderId), commandId)).map((event) => event.type)).toEqual(['OrderCancelled']);
    const read = (await orderState(host.store, orderId)).state;
    expect(read).toMatchObject({ status: 'cancelled', reason: 'ordered the wrong size' });
    expect(read).not.toHaveProperty('cancellation');
  });

  it('starts the cancellation of a confirmed order, for an operator too, and ends it cancelled when the saga completes it', async () => {
    const orderId = await existing(['confirmed']);
    expect(await cancel(orderId, { token: 'token-ops', body: { reason: 'fraud suspected' } })).toMatchObject({ status: 202, body: { status: 'confirmed' } });
    const events = await eventsOf(host.store, orderStream(orderId));
    expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderCancellationRequested', 'OrderCancellationStarted']);
    expect(events[3]?.data).toEqual({ orderId, reason: 'fraud suspected', lines: [{ sku: 'MUG-1', quantity: 2 }], at });

    const commandId = await sagaSends(orderId, 'CompleteCancellation');
    expect((await answersTo(host.store, orderStream(orderId), commandId)).map((event) => event.type)).toEqual(['OrderCancelled']);
  });

  it('answers a retried request with the same key as the first time, appending nothing; a second request is 409', async () => {
    const orderId = await existing(['confirmed']);
    const key = randomUUID();
    const first = await cancel(orderId, { key });
    const retried = await cancel(orderId, { key });
    expect(retried).toEqual(first);
    expect(await typesOf(orderId)).toHaveLength(4);

    const second = await cancel(orderId);
    expect(second).toMatchObject({
      status: 409,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { detail: expect.stringMatching(/is being cancelled already/) },
    });
    expect(await typesOf(orderId)).toHaveLength(4);
  });

  it.each([
    ['shipped', ['confirmed', 'shipped'] as const, /was shipped at .*; it can no longer be cancelled/],
    ['rejected', ['rejected'] as const, /was rejected \(out of stock\); there is nothing to cancel/],
  ])('refuses a %s order with 409 problem+json, appending nothing', async (_status, then, detail) => {
    const orderId = await existing([...then]);
    const before = await typesOf(orderId);
    expect(await cancel(orderId)).toMatchObject({
      status: 409,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      body: { status: 409, detail: expect.stringMatching(detail) },
    });
    expect(await typesOf(orderId)).toEqual(before);
  });

  it('answers another customer, a viewer, and an order that does not exist with the 404 of a missing order; no token is 401', async () => {
    const orderId = await existing();
    for (const token of ['token-b', 'token-viewer'])
      expect(await cancel(orderId, { token })).toMatchObject({
        status: 404,
        contentType: expect.stringMatching(/^application\/problem\+json/),
        body: { detail: `no order ${orderId}` },
      });
    const missing = randomUUID();
    expect(await cancel(missing, { token: 'token-ops' })).toMatchObject({ status: 404, body: { detail: `no order ${missing}` } });
    expect(await cancel(orderId, { token: '' })).toMatchObject({ status: 401 });
    expect(await typesOf(orderId)).toEqual(['OrderPlaced']);
  });

  it.each([
    ['no reason', {}, '/reason'],
    ['an empty reason', { reason: '   ' }, '/reason'],
    ['a reason of 501 characters', { reason: 'x'.repeat(501) }, '/reason'],
    ['a reason with a control character', { reason: 'wrong\u0007size' }, '/reason'],
    ['a field it does not take', { reason: 'wrong size', refund: true }, '/'],
  ])('refuses %s with 400 problem+json naming the field, appending nothing', async (_case, body, pointer) => {
    const orderId = await existing();
    const answer = await cancel(orderId, { body });
    expect(answer).toMatchObject({ status: 400, contentType: expect.stringMatching(/^application\/problem\+json/) });
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: pointer })]));
    expect(await typesOf(orderId)).toEqual(['OrderPlaced']);
  });

  it('refuses an order id that is no uuid with 400', async () => {
    expect(await cancel('not-an-order')).toMatchObject({ status: 400, contentType: expect.stringMatching(/^application\/problem\+json/) });
  });
});
