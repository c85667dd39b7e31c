import fc from 'fast-check';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import {
  exchangeRaw,
  headerValue,
  METHODS,
  problemContractViolation,
  query,
  rawResponses,
  rawUnsafeHeaderValues,
  routeOf,
  segment,
  textOrUnsafe,
  undocumentedAnswer,
  unsafeText,
  visible,
  type OpenApiDocument,
} from '@ordo/http/fuzz';
import { call, HOME, NOW, registeredId, TOKENS } from '../test/client';
import { customersService } from './service';

// Every customers route under random requests: any method, mangled paths and queries,
// every caller's token or a garbage one, conditional headers, and bodies shaped like each
// route's input with NUL and lone surrogates in their strings. None may answer 5xx, every
// error is problem+json, every status a route answers is one its OpenAPI document lists,
// and a request that is refused appends nothing.

type Route = { method: 'GET' | 'POST' | 'PUT'; route: string };
const ROUTES: Route[] = [
  { method: 'POST', route: '/v1/customers' },
  { method: 'GET', route: '/v1/customers/:id' },
  { method: 'PUT', route: '/v1/customers/:id/address' },
];
const KNOWN_EMAIL = 'known@example.com';
const authorization = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.constantFrom(...[...TOKENS.keys()].map((token) => `Bearer ${token}`)), weight: 8 },
  { arbitrary: fc.constantFrom('Bearer not-a-token', 'Bearer', 'Basic c2hvcA=='), weight: 1 },
  { arbitrary: headerValue(), weight: 1 },
);

/** A field's value: mostly well formed, often wrong in type, or text with a NUL or a lone surrogate. */
const anyValue = fc.oneof(
  textOrUnsafe(),
  fc.integer({ min: -2, max: 2_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(textOrUnsafe(10), { maxLength: 2 }),
);
const or = <T>(likely: fc.Arbitrary<T>) => fc.oneof({ arbitrary: likely, weight: 3 }, { arbitrary: anyValue, weight: 1 });
const address = fc.record(
  {
    line1: or(fc.constantFrom('1 Main Street', ' ', 'x'.repeat(201))),
    line2: or(fc.constantFrom('Floor 2', '', '  ')),
    city: or(fc.constantFrom('Berlin', 'Dublin', '')),
    postalCode: or(fc.constantFrom('10115', 'D02 X285', '1'.repeat(21))),
    country: or(fc.constantFrom('DE', 'IE', 'GB', 'de', 'UK', 'ZZ', 'DEU')),
  },
  { requiredKeys: [] },
);
const email = or(fc.constantFrom(KNOWN_EMAIL, ' KNOWN@example.com ', 'fuzz-1@example.com', 'fuzz-2@example.com', 'not-an-email', 'a@b'));
/** Input the routes accept, often: so the fuzz gets past validation to the rules and the appends behind it. */
const goodAddress = fc.record({
  line1: fc.constantFrom('1 Main Street', ' 5 Quay '),
  city: fc.constantFrom('Berlin', 'Dublin'),
  postalCode: fc.constantFrom('10115', 'D02 X285'),
  country: fc.constantFrom('DE', 'IE'),
});
const goodEmail = fc.oneof(
  fc.constantFrom(KNOWN_EMAIL, ' Known@Example.com '),
  fc.nat({ max: 50 }).map((n) => `fuzz-${n}@example.com`),
);
const json = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((body) => JSON.stringify(body));
const bodies = fc.oneof(
  { arbitrary: json(fc.record({ email: goodEmail, name: fc.constantFrom('Fuzz', ' Zoë '), address: goodAddress })), weight: 6 },
  { arbitrary: json(goodAddress), weight: 4 },
  {
    arbitrary: json(fc.record({ email, name: or(fc.constantFrom('Fuzz', ' ', 'x'.repeat(201))), address: fc.oneof(address, anyValue) }, { requiredKeys: [] })),
    weight: 2,
  },
  { arbitrary: json(address), weight: 2 },
  // A key holding the unsafe text, and plain noise.
  { arbitrary: json(fc.tuple(unsafeText(10), anyValue).map(([key, value]) => ({ [key]: value }))), weight: 1 },
  { arbitrary: fc.json(), weight: 1 },
  { arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}'), weight: 1 },
);

/** A path segment holding the text; a lone surrogate, which has no UTF-8, goes as the bytes of one (WTF-8). */
const inPath = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
};

describe('every customers route under random and malformed requests', () => {
  let host: TestHost;
  let knownId: string;
  let document: OpenApiDocument;

  beforeAll(async () => {
    host = await startTestHost({ service: customersService, clock: () => new Date(NOW), authTokens: TOKENS });
    knownId = registeredId(await call(host.url, 'POST', '/v1/customers', { token: 'token-alice', body: { email: KNOWN_EMAIL, name: 'Known', address: HOME } }));
    document = host.server.swagger() as unknown as OpenApiDocument;
  });
  afterAll(() => host?.close());

  const requests = () => {
    const ids = fc.oneof(fc.constant(knownId), fc.uuid(), segment, textOrUnsafe(12).map(inPath));
    const etags = fc.oneof(
      fc.constantFrom('*', `"customer-${knownId}:0"`, `"customer-${knownId}:99"`, `W/"customer-${knownId}:0"`, '"order-x:0"', 'nonsense'),
      headerValue(),
    );
    const paths = (route: Route) =>
      fc.oneof(
        fc.constant(route.route.replace(':id', knownId)),
        ids.map((id) => route.route.replace(':id', id)),
        fc.array(segment, { maxLength: 3 }).map((parts) => `/v1/customers/${parts.join('/')}`),
      );
    return fc.constantFrom(...ROUTES).chain((route) =>
      fc.record({
        method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 4 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
        target: fc
          .tuple(paths(route), fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: query, weight: 1 }))
          .map(([path, text]) => (text === undefined ? path : `${path}?${text}`)),
        headers: fc.record(
          {
            authorization,
            'content-type': fc.oneof(
              { arbitrary: fc.constant('application/json'), weight: 4 },
              { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded'), weight: 1 },
            ),
            'idempotency-key': fc.oneof(fc.constantFrom('fuzz-1', 'fuzz-2'), visible(1, 300)),
            'if-none-match': etags,
            'if-match': etags,
          },
          // Mostly sent, so that most requests get past the media type and auth to what lies behind.
          { requiredKeys: ['authorization', 'content-type'] },
        ),
        body: fc.option(bodies, { nil: undefined }),
      }),
    );
  };

  // Counted in the table, not read through the store: a read sees only transactions older than
  // the oldest one running anywhere in the cluster, so on a busy server an event appended by
  // one request could first show up while the next is counted.
  const storedEvents = async () => Number((await host.sql.query<{ count: string }>(`select count(*) from ${host.schema}.events`)).rows[0]?.count);

  const routeOfRequest = (method: string, path: string) =>
    ROUTES.find((route) => route.method === method && new RegExp(`^${route.route.replace(/:\w+/g, '[^/]+')}$`).test(path));

  it('answers every generated request below 500, errors as documented problem+json, and appends nothing when it refuses', async () => {
    const routesReached = new Set<string>();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requests(), async ({ method, target, headers, body }) => {
        const before = await storedEvents();
        const sent = method === 'GET' || method === 'HEAD' ? undefined : body; // fetch sends no body on these
        const sentHeaders = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
        const response = await fetch(`${host.url}${target}`, { method, headers: sentHeaders, body: sent, redirect: 'manual' });
        const text = await response.text();
        statuses.add(response.status);
        if (response.status >= 500) throw new Error(`${method} ${target} answered ${response.status}: ${text.slice(0, 300)}`);
        const violation = problemContractViolation(response.status, response.headers.get('content-type'), method);
        if (violation) throw new Error(`${method} ${target} ${violation}: ${text.slice(0, 200)}`);
        const after = await storedEvents();
        if ((response.status >= 300 || method === 'GET') && after !== before) {
          throw new Error(`${method} ${target} answered ${response.status} but appended ${after - before} events: ${text.slice(0, 200)}`);
        }
        const route = routeOfRequest(method, routeOf(target));
        if (!route) return;
        routesReached.add(`${route.method} ${route.route}`);
        const wrong = undocumentedAnswer(document, route, response.status);
        if (wrong) throw new Error(`${target}: ${wrong}`);
      }),
      { numRuns: 600 },
    );
    // The generator reached every route, and got past validation and auth often enough to meet the rules behind them.
    expect([...routesReached].sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.route}`).sort());
    expect([...statuses]).toEqual(expect.arrayContaining([200, 201, 400, 401, 403, 404, 409]));
  });

  const rawBodies = {
    POST: (value: string) => ({ email: 'raw@example.com', name: value, address: { ...HOME, line1: value } }),
    PUT: (value: string) => ({ ...HOME, city: value }),
  };
  const rawCases = (['POST', 'PUT'] as const).flatMap((method) => rawUnsafeHeaderValues.map((value) => [method, JSON.stringify(value), value] as const));
  it.each(rawCases)('answers a %s with %s in a string, sent as raw bytes, with a problem+json 400', async (method, _shown, value) => {
    // The value's bytes go on the wire as they are (latin1): a raw NUL, or the WTF-8 bytes of a lone surrogate.
    const body = JSON.stringify(rawBodies[method](value));
    const path = method === 'POST' ? '/v1/customers' : `/v1/customers/${knownId}/address`;
    const { port } = new URL(host.url);
    const request = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer token-ops\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\n\r\n${body}`;
    const answers = rawResponses(await exchangeRaw(host.url, [Buffer.from(request, 'latin1')]));
    expect(answers.map(({ status, headers }) => ({ status, contentType: headers['content-type'] }))).toEqual([
      { status: 400, contentType: expect.stringMatching(/^application\/problem\+json/) },
    ]);
  });
});
