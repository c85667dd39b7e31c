import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { answersTo, issueCommand, startTestHost, type TestHost } from '@ordo/host/testing';
import {
  headerValue,
  METHODS,
  problemContractViolation,
  query,
  routeOf,
  segment,
  textOrUnsafe,
  undocumentedAnswer,
  unsafeText,
  visible,
  type OpenApiDocument,
} from '@ordo/http/fuzz';
import { shipmentStream } from '@ordo/shipping-contract';
import { shippingService } from './service';

// Both routes under random requests (as infra/cli/test/shop-fuzz.int.spec.ts does for the
// shop): any method, mangled paths and queries, every role's token or a garbage one,
// bodies shaped like a dispatch with NUL and lone surrogates in their strings, against
// shipments in every status. No answer may be a 5xx, every error is problem+json with a
// status the route documents, and an answer that is not a success appends nothing.

const TOKENS = { customer: 'fuzz-customer', viewer: 'fuzz-viewer', operator: 'fuzz-warehouse', admin: 'fuzz-admin' } as const;
const AUTHORIZATIONS = [...Object.values(TOKENS).map((token) => `Bearer ${token}`), 'Bearer not-a-token', 'Bearer', 'Basic c2hvcA=='];
const ADDRESS = { line1: 'Rue de Rivoli 1', city: 'Paris', postalCode: '75001', country: 'FR' };
const ROUTES = [
  { method: 'POST', route: '/v1/shipments/:orderId/dispatch' },
  { method: 'GET', route: '/v1/shipments/:orderId' },
] as const;

const anyValue = fc.oneof(textOrUnsafe(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(textOrUnsafe(10), { maxLength: 2 }));
const label = fc.oneof(
  { arbitrary: fc.constantFrom('DHL', 'PostNL', 'JD0001'), weight: 3 },
  { arbitrary: fc.constantFrom(' ', ''), weight: 1 },
  { arbitrary: visible(0, 120), weight: 1 },
  { arbitrary: textOrUnsafe(), weight: 1 },
  { arbitrary: anyValue, weight: 1 },
);
const bodies = fc.oneof(
  { arbitrary: fc.record({ carrier: label, trackingNumber: label }, { requiredKeys: [] }).map((body) => JSON.stringify(body)), weight: 3 },
  { arbitrary: fc.tuple(unsafeText(10), anyValue).map(([key, value]) => JSON.stringify({ [key]: value })), weight: 1 },
  { arbitrary: fc.json(), weight: 1 },
  { arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}'), weight: 1 },
);
/** A value in `present` of every `present + absent` requests, so most requests are well formed enough to reach the handler. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, present: number, absent: number) =>
  fc.oneof({ arbitrary, weight: present }, { arbitrary: fc.constant(undefined), weight: absent });
const present = (headers: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));

describe('shipping under random and malformed requests', () => {
  let host: TestHost<'sagas'>;
  /** One order per status, so every branch of both routes is reachable. */
  const orders: string[] = [];

  beforeAll(async () => {
    host = await startTestHost({
      service: shippingService,
      standIns: ['sagas'],
      authTokens: new Map(Object.entries(TOKENS).map(([role, token]) => [token, { subject: `fuzz-${role}`, roles: [role as keyof typeof TOKENS] }])),
    });
    const command = async (orderId: string, type: string, data: object) => {
      const commandId = await issueCommand(host.standIns.sagas, { target: 'shipping', key: orderId, type, data: { orderId, ...data } });
      await answersTo(host.store, shipmentStream(orderId), commandId);
    };
    const [scheduled, dispatched, cancelled, refused] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const orderId of [scheduled, dispatched, cancelled])
      await command(orderId, 'ScheduleShipment', { address: ADDRESS, lines: [{ sku: 'TEE-1', quantity: 1 }] });
    await command(cancelled, 'CancelShipment', { reason: 'rolled back' });
    await command(refused, 'ScheduleShipment', { address: { ...ADDRESS, country: 'US' }, lines: [{ sku: 'TEE-1', quantity: 1 }] });
    const response = await fetch(`${host.url}/v1/shipments/${dispatched}/dispatch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.operator}` },
    });
    expect(response.status).toBe(200);
    orders.push(scheduled, dispatched, cancelled, refused);
  });

  afterAll(() => host?.close());

  // Read from the table, not through the store: a store read sees only transactions older than
  // the oldest one running anywhere in the cluster, so on a busy server an event appended by
  // one request could first show up while the next is checked.
  const recorded = async () =>
    (await host.sql.query<{ type: string; stream: string }>(`select type, stream from ${host.schema}.events order by position`)).rows.map(
      (event) => `${event.type} in ${event.stream}`,
    );

  it('answers every generated request below 500, every error as problem+json with a documented status, and appends only on a success', async () => {
    const document = host.server.swagger() as unknown as OpenApiDocument;
    const orderIds = fc.oneof(
      { arbitrary: fc.constantFrom(...orders), weight: 6 },
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: segment, weight: 1 },
      { arbitrary: textOrUnsafe(12), weight: 1 },
    );
    const inPath = (text: string) => {
      try {
        return encodeURIComponent(text);
      } catch {
        return '%ED%A0%80'; // a lone surrogate has no UTF-8: the bytes of one (WTF-8)
      }
    };
    const tag = (revision: number) => `"${shipmentStream(orders[0] ?? '')}:${revision}"`;
    const requests = fc.constantFrom(...ROUTES).chain((route) =>
      fc.record({
        method: fc.oneof({ arbitrary: fc.constant<string>(route.method), weight: 6 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
        path: fc.oneof(
          { arbitrary: orderIds.map((orderId) => route.route.replace(':orderId', inPath(orderId))), weight: 5 },
          { arbitrary: fc.array(segment, { maxLength: 3 }).map((parts) => `/v1/shipments/${parts.join('/')}`), weight: 1 },
        ),
        query: sometimes(query, 1, 3),
        headers: fc
          .record({
            authorization: sometimes(
              fc.oneof(
                { arbitrary: fc.constantFrom(`Bearer ${TOKENS.operator}`, `Bearer ${TOKENS.admin}`), weight: 4 },
                { arbitrary: fc.constantFrom(...AUTHORIZATIONS), weight: 3 },
                { arbitrary: headerValue(), weight: 1 },
              ),
              7,
              1,
            ),
            'content-type': sometimes(
              fc.oneof(
                { arbitrary: fc.constant('application/json'), weight: 6 },
                { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded'), weight: 1 },
              ),
              7,
              1,
            ),
            'idempotency-key': sometimes(fc.oneof(fc.constantFrom('fuzz-1', 'fuzz-2'), visible(1, 300)), 1, 1),
            'if-none-match': sometimes(fc.oneof(fc.constantFrom('*', tag(0), `W/${tag(0)}`), headerValue()), 1, 1),
            'if-match': sometimes(fc.oneof(fc.constantFrom('*', tag(0), tag(9), 'nonsense'), headerValue()), 1, 4),
          })
          .map(present),
        body: sometimes(bodies, 2, 1),
      }),
    );

    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(requests, async ({ method, path, query: text, headers, body }) => {
        const target = text === undefined ? path : `${path}?${text}`;
        const before = await recorded();
        const sent = method === 'GET' || method === 'HEAD' ? undefined : body; // fetch sends no body on these
        const response = await fetch(`${host.url}${target}`, { method, headers, body: sent, redirect: 'manual' });
        const answer = await response.text();
        if (response.status >= 500) throw new Error(`${method} ${target} answered ${response.status}: ${answer.slice(0, 300)}`);
        const violation = problemContractViolation(response.status, response.headers.get('content-type'), method);
        if (violation) throw new Error(`${method} ${target} ${violation}: ${answer.slice(0, 200)}`);
        const appended = (await recorded()).slice(before.length);
        if (appended.length > (response.status < 300 ? 1 : 0))
          throw new Error(`${method} ${target} answered ${response.status} and appended ${appended.join(', ')}`);

        const route = ROUTES.find(
          (candidate) => candidate.method === method && new RegExp(`^${candidate.route.replace(':orderId', '[^/]+')}$`).test(routeOf(target)),
        );
        if (!route) return;
        reached.add(route.route);
        const undocumented = undocumentedAnswer(document, route, response.status);
        if (undocumented) throw new Error(`${target}: ${undocumented}`);
      }),
      { numRuns: 400 },
    );
    expect([...reached].sort()).toEqual(ROUTES.map((route) => route.route).sort());
  });
});
