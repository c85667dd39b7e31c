import fc from 'fast-check';
import { answersTo, issueCommand, startTestHost, type TestHost } from '@ordo/host/testing';
import type { Role } from '@ordo/http';
import { headerValue, METHODS, problemContractViolation, query, segment, visible } from '@ordo/http/fuzz';
import { paymentStream, PaymentView } from '@ordo/payments-contract';
import { paymentsServiceWith } from './service';
import { simulatedProvider, TEST_CARDS } from './simulated-provider';

// The one route, GET /v1/payments/:orderId, for viewers and above (docs/security.md):
// the payment's status, amounts and provider ids, under its stream's ETag.
const NOW = '2025-03-01T10:00:00.000Z';
const TOKENS = { customer: 'payments-spec-customer', viewer: 'payments-spec-viewer', operator: 'payments-spec-operator' };
type Problem = { status: number; detail?: string; errors?: { in: string; path: string }[] };

describe('GET /v1/payments/:orderId', () => {
  let host: TestHost<'sagas'>;

  const get = async (path: string, headers: Record<string, string> = { authorization: `Bearer ${TOKENS.viewer}` }) => {
    const response = await fetch(`${host.url}${path}`, { headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const send = async (orderId: string, type: string, data: object = {}) => {
    const commandId = await issueCommand(host.standIns.sagas, { target: 'payments', key: orderId, type, data: { orderId, ...data } });
    await answersTo(host.store, paymentStream(orderId), commandId);
  };
  /** Every event id in the store, in order: what a refusal must leave as it was. */
  const recorded = async () => {
    const ids: string[] = [];
    for await (const event of host.store.readAll()) ids.push(event.id);
    return ids;
  };

  beforeAll(async () => {
    host = await startTestHost({
      service: paymentsServiceWith({ provider: simulatedProvider() }),
      standIns: ['sagas'],
      clock: () => new Date(NOW),
      authTokens: new Map(Object.entries(TOKENS).map(([role, token]) => [token, { subject: role, roles: [role as Role] }])),
    });
    // One payment followed to its refund; one declined.
    await send('order-1', 'AuthorizePayment', { amountCents: 4200, cardToken: TEST_CARDS.ok });
    await send('order-1', 'CapturePayment');
    await send('order-1', 'RefundPayment', { reason: 'returned by the customer' });
    await send('order-2', 'AuthorizePayment', { amountCents: 900, cardToken: TEST_CARDS.declined });
  });
  afterAll(() => host?.close());

  it('shows a payment to a viewer, with its ETag, and 304 when it has not changed', async () => {
    const read = await get('/v1/payments/order-1');
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"payment-order-1:2"');
    expect(PaymentView.parse(read.body)).toEqual({
      orderId: 'order-1',
      status: 'refunded',
      amountCents: 4200,
      currency: 'EUR',
      capturedCents: 4200,
      refundedCents: 4200,
      authorizationId: expect.stringMatching(/^auth_/),
      captureId: expect.stringMatching(/^cap_/),
      refundId: expect.stringMatching(/^ref_/),
      reason: 'returned by the customer',
      updatedAt: NOW,
    });
    const unchanged = await get('/v1/payments/order-1', { authorization: `Bearer ${TOKENS.viewer}`, 'if-none-match': '"payment-order-1:2"' });
    expect(unchanged.status).toBe(304);
    expect((await get('/v1/payments/order-1', { authorization: `Bearer ${TOKENS.viewer}`, 'if-none-match': '"payment-order-1:1"' })).status).toBe(200);
  });

  it('shows a declined payment with the reason, to an operator too', async () => {
    const read = await get('/v1/payments/order-2', { authorization: `Bearer ${TOKENS.operator}` });
    expect(read).toMatchObject({
      status: 200,
      body: { orderId: 'order-2', status: 'declined', amountCents: 900, capturedCents: 0, refundedCents: 0, reason: 'the card was declined' },
    });
    expect(read.body).not.toHaveProperty('authorizationId');
  });

  it('answers 401 without a token or with one nobody holds, and 403 to a customer', async () => {
    const anonymous = await get('/v1/payments/order-1', {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get('/v1/payments/order-1', { authorization: 'Bearer not-a-token' })).status).toBe(401);
    const customer = await get('/v1/payments/order-1', { authorization: `Bearer ${TOKENS.customer}` });
    expect(customer.status).toBe(403);
    expect(customer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers 404 for an order without a payment, and 400 naming the parameter for an id of the wrong shape', async () => {
    expect(await get('/v1/payments/order-404')).toMatchObject({ status: 404, body: { detail: 'order order-404 has no payment' } });
    const bad = await get('/v1/payments/order.1');
    expect(bad.status).toBe(400);
    expect((bad.body as Problem).errors).toEqual([expect.objectContaining({ in: 'params', path: '/orderId' })]);
  });

  it('answers any request below 500, every error as problem+json, appending nothing', async () => {
    const before = await recorded();
    const authorization = fc.oneof(fc.constantFrom(...Object.values(TOKENS).map((token) => `Bearer ${token}`), 'Bearer nope', 'Basic eA=='), headerValue());
    const orderId = fc.oneof(fc.constantFrom('order-1', 'order-2', 'order-404', ''), segment, visible(90, 130));
    const requests = fc.record(
      {
        method: fc.oneof({ arbitrary: fc.constant('GET'), weight: 4 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
        path: fc.tuple(orderId, fc.option(query, { nil: undefined })).map(([id, text]) => `/v1/payments/${id}${text === undefined ? '' : `?${text}`}`),
        authorization,
        ifNoneMatch: fc.oneof(fc.constantFrom('*', '"payment-order-1:2"', 'W/"payment-order-1:2"', '"payment-order-2:0"'), headerValue()),
      },
      { requiredKeys: ['method', 'path'] },
    );
    await fc.assert(
      fc.asyncProperty(requests, async ({ method, path, authorization: token, ifNoneMatch }) => {
        const headers = { ...(token !== undefined && { authorization: token }), ...(ifNoneMatch !== undefined && { 'if-none-match': ifNoneMatch }) };
        const response = await fetch(`${host.url}${path}`, { method, headers });
        const text = await response.text();
        if (response.status >= 500) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
        const violation = problemContractViolation(response.status, response.headers.get('content-type'), method);
        if (violation) throw new Error(`${method} ${path} ${violation}`);
      }),
      { numRuns: 300 },
    );
    expect(await recorded()).toEqual(before);
  });
});
