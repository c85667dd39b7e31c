import { customerStream, emailReservationStream } from '@ordo/customers-contract';
import { eventsOf, startTestHost, type TestHost } from '@ordo/host/testing';
import type { ConsumedMessage } from '@ordo/messaging';
import { eventually } from '@ordo/testing';
import { allEvents, call, HOME, NOW, OFFICE, registeredId, TOKENS, type CallOptions } from '../test/client';
import { customersService } from './service';

// Customers as the host mounts it in standalone mode (callers need a token, but to
// register): its own store, the embedded bus, a real HTTP port; a probe consumer reads
// `ordo.customers.events` as another context would.
const PROBLEM = /^application\/problem\+json/;

describe('customers, mounted on HTTP and the embedded bus', () => {
  let host: TestHost;
  const published: ConsumedMessage<{ type: string; stream: string; revision: string }>[] = [];

  beforeAll(async () => {
    host = await startTestHost({ service: customersService, clock: () => new Date(NOW), authTokens: TOKENS });
    await host.bus.consume({
      groupId: 'probe',
      topics: ['ordo.customers.events'],
      handle: async (message) => void published.push(message as (typeof published)[number]),
    });
  });
  afterAll(() => host?.close());

  const register = (body: unknown, options: CallOptions = {}) => call(host.url, 'POST', '/v1/customers', { token: 'token-alice', body, ...options });
  const read = (id: string, options: CallOptions = {}) => call(host.url, 'GET', `/v1/customers/${id}`, { token: 'token-alice', ...options });
  const changeAddress = (id: string, body: unknown, options: CallOptions = {}) =>
    call(host.url, 'PUT', `/v1/customers/${id}/address`, { token: 'token-alice', body, ...options });
  const alice = { email: 'Alice@Example.com', name: 'Alice', address: HOME };
  let aliceId: string;

  // ---- registering --------------------------------------------------------------------
  it('registers a customer: 201, Location, ETag, the view, and the events with the caller as owner', async () => {
    const answer = await register(alice, { headers: { 'x-correlation-id': 'req-alice' } });
    aliceId = registeredId(answer);
    expect(answer.headers.location).toBe(`/v1/customers/${aliceId}`);
    expect(answer.headers.etag).toBe(`"customer-${aliceId}:0"`);
    expect(answer.body).toEqual({ id: aliceId, email: 'Alice@Example.com', name: 'Alice', address: HOME, status: 'active', owner: 'alice' });

    const [registered] = await eventsOf(host.store, customerStream(aliceId));
    expect(registered).toMatchObject({
      type: 'CustomerRegistered',
      data: { customerId: aliceId, email: 'Alice@Example.com', name: 'Alice', address: HOME, owner: 'alice', at: NOW },
      metadata: { correlationId: 'req-alice', actor: 'alice', schemaVersion: 1 },
    });
    const reservation = await eventsOf(host.store, emailReservationStream('alice@example.com'));
    expect(reservation).toMatchObject([{ type: 'EmailReserved', data: { customerId: aliceId, at: NOW }, metadata: { correlationId: 'req-alice' } }]);
    expect(reservation[0]?.id).not.toBe(registered?.id);
  });

  it('answers 409 naming the email for one already registered, whatever its case and blanks, and appends nothing', async () => {
    const before = (await allEvents(host.store)).length;
    const answer = await register({ ...alice, email: '  ALICE@example.COM ', name: 'Another Alice' }, { token: 'token-bob' });
    expect(answer.status).toBe(409);
    expect(answer.headers['content-type']).toMatch(PROBLEM);
    expect(answer.body).toMatchObject({
      detail: 'a customer with the email ALICE@example.COM is already registered',
      errors: [{ in: 'body', path: '/email' }],
    });
    expect(await allEvents(host.store)).toHaveLength(before);
  });

  it('registers exactly one of two concurrent registrations of one email: one 201, one 409', async () => {
    const [first, second] = await Promise.all([
      register({ ...alice, email: 'twins@example.com' }, { token: 'token-alice' }),
      register({ ...alice, email: 'Twins@Example.com' }, { token: 'token-bob' }),
    ]);
    expect([first?.status, second?.status].sort()).toEqual([201, 409]);
    const winner = registeredId((first?.status === 201 ? first : second) as NonNullable<typeof first>);
    const registrations = (await allEvents(host.store)).filter((event) => event.type === 'CustomerRegistered');
    expect(registrations.filter((event) => (event.data as { email: string }).email.toLowerCase() === 'twins@example.com')).toHaveLength(1);
    expect(await eventsOf(host.store, emailReservationStream('twins@example.com'))).toMatchObject([{ data: { customerId: winner } }]);
  });

  it('answers a retry with the same Idempotency-Key as the first time: the same customer, one event', async () => {
    const body = { ...alice, email: 'retry@example.com' };
    const first = await register(body, { headers: { 'idempotency-key': 'sign-up-1' } });
    const retry = await register(body, { headers: { 'idempotency-key': 'sign-up-1' } });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.headers.location).toBe(first.headers.location);
    const id = registeredId(first);
    expect(await eventsOf(host.store, customerStream(id))).toHaveLength(1);
    expect(await eventsOf(host.store, emailReservationStream('retry@example.com'))).toHaveLength(1);

    // The key is the caller's own: another caller sending it registers another customer.
    const ofBob = await register({ ...body, email: 'retry-bob@example.com' }, { token: 'token-bob', headers: { 'idempotency-key': 'sign-up-1' } });
    expect(registeredId(ofBob)).not.toBe(id);
  });

  it('answers bad input with problem+json naming each failing field, and appends nothing', async () => {
    const before = (await allEvents(host.store)).length;
    const answer = await register({
      email: 'not-an-email',
      name: '   ',
      address: { line1: '', line2: 7, city: 'x'.repeat(101), postalCode: '1'.repeat(21), country: 'de' },
      phone: '123',
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(PROBLEM);
    const paths = answer.body.errors?.map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/email', '/name', '/address/line1', '/address/line2', '/address/city', '/address/postalCode', '/address/country']),
    );
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/Unrecognized key: "phone"/) })]));
    expect(await allEvents(host.store)).toHaveLength(before);
  });

  it.each([
    [{ email: 'x@example.com', name: 'X' }, '/address'],
    [{ ...alice, email: 'uk@example.com', address: { ...HOME, country: 'UK' } }, '/address/country'],
    [{ ...alice, email: 'x@example.com', address: { ...HOME, zip: '1' } }, '/address'],
    [{ ...alice, email: 'a@b' }, '/email'],
    [{ ...alice, email: 'ctl@example.com', name: 'Al\u0007ice' }, '/name'],
    [{ ...alice, email: 'ctl@example.com', address: { ...HOME, city: 'Ber\ufffdlin' } }, '/address/city'],
    [{ ...alice, email: 'ctl@example.com', address: { ...HOME, city: 'Ber\nlin' } }, '/address/city'],
    [{ ...alice, email: 'blank@example.com', address: { ...HOME, postalCode: '\t' } }, '/address/postalCode'],
    [{ ...alice, email: 'xk@example.com', address: { ...HOME, country: 'XK' } }, '/address/country'],
  ])('refuses %j with a 400 at %s', async (body, path) => {
    const answer = await register(body);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'body', path })]);
  });

  it('refuses a name or an address line one character over its length with a 400 naming it', async () => {
    const tooLong = [
      [{ ...alice, email: 'long@example.com', name: 'x'.repeat(201) }, '/name'],
      [{ ...alice, email: 'long@example.com', address: { ...HOME, line1: 'x'.repeat(201) } }, '/address/line1'],
      [{ ...alice, email: 'long@example.com', address: { ...HOME, line2: 'x'.repeat(201) } }, '/address/line2'],
    ] as const;
    for (const [body, path] of tooLong) {
      const answer = await register(body);
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ in: 'body', path })]);
    }
  });

  it('registers names and addresses beyond ASCII, at the longest it takes', async () => {
    const name = 'Zoë 李'.padEnd(200, 'ß');
    const address = { ...HOME, line1: 'Müllerstraße 5', line2: 'x'.repeat(200) };
    const answer = await register({ email: 'zoe@example.com', name, address });
    expect(answer).toMatchObject({ status: 201, body: { name, address } });
  });

  it('records the email and name without surrounding blanks, and no blank second line', async () => {
    const answer = await register({ email: ' Trim@Example.com ', name: ' Trim ', address: { ...HOME, line2: '  ', city: ' Berlin ' } });
    expect(answer.body).toMatchObject({ email: 'Trim@Example.com', name: 'Trim', address: HOME });
  });

  // ---- reading ------------------------------------------------------------------------------
  it('reads a customer with its ETag, 304 when unchanged, 404 when unknown, 400 for an id that is not a uuid', async () => {
    const answer = await read(aliceId);
    expect(answer).toMatchObject({ status: 200, body: { id: aliceId, email: 'Alice@Example.com', status: 'active', owner: 'alice' } });
    expect(answer.headers.etag).toBe(`"customer-${aliceId}:0"`);
    expect((await read(aliceId, { headers: { 'if-none-match': `"customer-${aliceId}:0"` } })).status).toBe(304);
    expect((await read(aliceId, { headers: { 'if-none-match': `"customer-${aliceId}:7"` } })).status).toBe(200);

    const unknown = '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10';
    expect(await read(unknown)).toMatchObject({ status: 404, body: { detail: `customer ${unknown} does not exist` } });
    const malformed = await read('42');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ in: 'params', path: '/id' })]);
  });

  // ---- changing the address ------------------------------------------------------------------
  it('changes the address when If-Match names the revision the client saw, and answers 412 when it is stale', async () => {
    const changed = await changeAddress(aliceId, OFFICE, { headers: { 'if-match': `"customer-${aliceId}:0"` } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).toBe(`"customer-${aliceId}:1"`);
    expect(changed.body).toMatchObject({ id: aliceId, address: OFFICE });

    const stale = await changeAddress(aliceId, HOME, { headers: { 'if-match': `"customer-${aliceId}:0"` } });
    expect(stale.status).toBe(412);
    expect(stale.headers['content-type']).toMatch(PROBLEM);
    expect(stale.body.detail).toMatch(`customer-${aliceId} is at revision 1, not 0`);
    expect((await changeAddress(aliceId, HOME, { headers: { 'if-match': '"customer-someone-else:1"' } })).status).toBe(412);
    expect((await changeAddress(aliceId, HOME, { headers: { 'if-match': 'garbage' } })).status).toBe(400);

    expect((await eventsOf(host.store, customerStream(aliceId))).map((event) => event.data)).toEqual([
      expect.objectContaining({ address: HOME }),
      { customerId: aliceId, address: OFFICE, previousAddress: HOME, at: NOW },
    ]);
  });

  it('changes the address without If-Match, and records nothing for the address it already has', async () => {
    expect(await changeAddress(aliceId, HOME)).toMatchObject({ status: 200, body: { address: HOME } });
    const same = await changeAddress(aliceId, { ...HOME, line1: ` ${HOME.line1} ` });
    expect(same.status).toBe(200);
    expect(same.headers.etag).toBe(`"customer-${aliceId}:2"`);
    expect(await eventsOf(host.store, customerStream(aliceId))).toHaveLength(3);
  });

  it('answers 404 for the address of an unknown customer, and 400 naming each bad field of an address', async () => {
    const unknown = '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10';
    expect(await changeAddress(unknown, OFFICE)).toMatchObject({ status: 404, body: { detail: `customer ${unknown} does not exist` } });
    const before = (await allEvents(host.store)).length;
    const bad = await changeAddress(aliceId, { line1: ' ', city: 'Paris', postalCode: '75001', country: 'FRA', extra: true });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.path)).toEqual(expect.arrayContaining(['/line1', '/country']));
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/Unrecognized key: "extra"/) })]));
    expect(await allEvents(host.store)).toHaveLength(before);
  });

  // ---- publishing ---------------------------------------------------------------------------
  it("publishes its events on ordo.customers.events, keyed by stream, the email's reservation included", async () => {
    const ofAlice = () => published.filter((message) => message.key === customerStream(aliceId)).map((message) => [message.value.type, message.value.revision]);
    await eventually(async () => ofAlice().length === 3, "alice's events on the topic");
    expect(ofAlice()).toEqual([
      ['CustomerRegistered', '0'],
      ['AddressChanged', '1'],
      ['AddressChanged', '2'],
    ]);
    expect(published.some((message) => message.key === emailReservationStream('alice@example.com') && message.value.type === 'EmailReserved')).toBe(true);
  });
});
