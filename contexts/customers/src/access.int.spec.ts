import { customerStream } from '@ordo/customers-contract';
import { eventsOf, startTestHost, type TestHost } from '@ordo/host/testing';
import { undocumentedAnswer, type OpenApiDocument } from '@ordo/http/fuzz';
import { call, HOME, NOW, OFFICE, registeredId, TOKENS, type CallOptions } from '../test/client';
import { customersService } from './service';

// Who may register, read and change a customer, on customers as a host mounts it: with
// tokens only (standalone), and with anonymous callers acting as customers (embedded).
// A customer is shown to the caller who registered it and to viewers and above, and its
// address changed by that caller and operators; to anyone else it is the 404 of a missing one.
const PROBLEM = /^application\/problem\+json/;
let emails = 0;
const signUp = () => ({ email: `someone-${++emails}@example.com`, name: 'Someone', address: HOME });

describe('who may register, read and change a customer', () => {
  let withTokens: TestHost;
  let embedded: TestHost;

  beforeAll(async () => {
    withTokens = await startTestHost({ service: customersService, clock: () => new Date(NOW), authTokens: TOKENS });
    embedded = await startTestHost({ service: customersService, clock: () => new Date(NOW), authTokens: TOKENS, anonymousCustomers: true });
  });
  afterAll(async () => {
    await withTokens?.close();
    await embedded?.close();
  });

  const register = (host: TestHost, options: CallOptions = {}) => call(host.url, 'POST', '/v1/customers', { body: signUp(), ...options });
  const read = (host: TestHost, id: string, options: CallOptions = {}) => call(host.url, 'GET', `/v1/customers/${id}`, options);
  const move = (host: TestHost, id: string, options: CallOptions = {}) => call(host.url, 'PUT', `/v1/customers/${id}/address`, { body: OFFICE, ...options });

  it('lets anyone register, with a token or without, and records who did as the owner', async () => {
    const anonymous = registeredId(await register(withTokens, { from: '127.0.0.2' }));
    const byAlice = registeredId(await register(withTokens, { token: 'token-alice' }));
    expect((await eventsOf(withTokens.store, customerStream(anonymous)))[0]?.data).toMatchObject({ owner: 'address:127.0.0.2' });
    expect((await eventsOf(withTokens.store, customerStream(byAlice)))[0]?.data).toMatchObject({ owner: 'alice' });
  });

  it('answers 401 for a token nobody holds, on registering too', async () => {
    for (const answer of [
      await register(withTokens, { token: 'not-a-token' }),
      await read(withTokens, '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10', { token: 'not-a-token' }),
    ]) {
      expect(answer).toMatchObject({
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': expect.stringMatching(PROBLEM) },
      });
    }
  });

  it('shows a customer, naming its owner, to its owner and to viewers and operators; another customer gets the 404 of a missing one', async () => {
    const id = registeredId(await register(withTokens, { token: 'token-alice' }));
    for (const token of ['token-alice', 'token-support', 'token-ops'])
      expect(await read(withTokens, id, { token })).toMatchObject({ status: 200, body: { id, owner: 'alice' } });

    const forBob = await read(withTokens, id, { token: 'token-bob' });
    const missingId = '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10';
    const missing = await read(withTokens, missingId, { token: 'token-bob' });
    expect(forBob).toMatchObject({ status: 404, body: { detail: `customer ${id} does not exist` } });
    expect(forBob.headers['content-type']).toMatch(PROBLEM);
    expect(missing.body.detail).toBe(`customer ${missingId} does not exist`);
    // Knowing the ETag does not help: still 404, never 304.
    expect((await read(withTokens, id, { token: 'token-bob', headers: { 'if-none-match': `"customer-${id}:0"` } })).status).toBe(404);
  });

  it('lets the owner and operators change the address; a viewer gets 403, another customer 404, and nothing is appended', async () => {
    const id = registeredId(await register(withTokens, { token: 'token-alice' }));
    const viewer = await move(withTokens, id, { token: 'token-support' });
    expect(viewer).toMatchObject({ status: 403, body: { detail: 'only the customer who registered it or an operator may change its address' } });
    expect(viewer.headers['content-type']).toMatch(PROBLEM);
    expect((await move(withTokens, id, { token: 'token-bob' })).status).toBe(404);
    // Another customer's If-Match does not reveal the customer either.
    expect((await move(withTokens, id, { token: 'token-bob', headers: { 'if-match': `"customer-${id}:0"` } })).status).toBe(404);
    expect(await eventsOf(withTokens.store, customerStream(id))).toHaveLength(1);

    expect(await move(withTokens, id, { token: 'token-alice' })).toMatchObject({ status: 200, body: { address: OFFICE } });
    expect(await move(withTokens, id, { token: 'token-ops', body: HOME })).toMatchObject({ status: 200, body: { address: HOME } });
    expect((await eventsOf(withTokens.store, customerStream(id))).map((event) => event.metadata.actor)).toEqual(['alice', 'alice', 'ops']);
  });

  it('refuses callers without a token (401) and with a token of no role (403) when the host has no anonymous customers', async () => {
    const id = registeredId(await register(withTokens, { token: 'token-alice' }));
    for (const answer of [await read(withTokens, id), await move(withTokens, id)]) {
      expect(answer).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
    for (const answer of [await read(withTokens, id, { token: 'token-roleless' }), await move(withTokens, id, { token: 'token-roleless' })]) {
      expect(answer).toMatchObject({ status: 403, body: { detail: 'this route needs the role customer or a higher one' } });
    }
    // A caller without a token cannot read even the customer it registered from its address.
    const anonymous = registeredId(await register(withTokens, { from: '127.0.0.3' }));
    expect((await read(withTokens, anonymous, { from: '127.0.0.3' })).status).toBe(401);
  });

  it('lets anonymous callers act as customers where the host says so: each address its own customers', async () => {
    const id = registeredId(await register(embedded, { from: '127.0.0.2' }));
    expect(await read(embedded, id, { from: '127.0.0.2' })).toMatchObject({ status: 200, body: { id } });
    expect(await move(embedded, id, { from: '127.0.0.2' })).toMatchObject({ status: 200, body: { address: OFFICE } });

    expect((await read(embedded, id, { from: '127.0.0.4' })).status).toBe(404);
    expect((await move(embedded, id, { from: '127.0.0.4' })).status).toBe(404);
    expect((await read(embedded, id, { token: 'token-alice' })).status).toBe(404);
    expect((await read(embedded, id, { token: 'token-support' })).status).toBe(200);
  });

  it("refuses a viewer the address change with 403 where the route is public too, a status the route's OpenAPI document lists", async () => {
    const id = registeredId(await register(embedded, { from: '127.0.0.2' }));
    const viewer = await move(embedded, id, { token: 'token-support' });
    expect(viewer).toMatchObject({ status: 403, headers: { 'content-type': expect.stringMatching(PROBLEM) } });
    for (const host of [embedded, withTokens]) {
      const document = host.server.swagger() as unknown as OpenApiDocument;
      expect(undocumentedAnswer(document, { method: 'PUT', route: '/v1/customers/:id/address' }, viewer.status)).toBeUndefined();
    }
  });

  it('gives two callers who send the same Idempotency-Key two customers, and one caller the same customer again', async () => {
    const key = { 'idempotency-key': 'same-key' };
    const body = signUp();
    const fromTwo = registeredId(await register(embedded, { from: '127.0.0.2', headers: key, body }));
    const fromFive = registeredId(await register(embedded, { from: '127.0.0.5', headers: key }));
    expect(fromFive).not.toBe(fromTwo);
    expect(registeredId(await register(embedded, { from: '127.0.0.2', headers: key, body }))).toBe(fromTwo);
    expect((await read(embedded, fromTwo, { from: '127.0.0.5' })).status).toBe(404);
  });
});
