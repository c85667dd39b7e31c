import fc from 'fast-check';
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
} from '@ordo/http/fuzz';
import { KNOWN_SKU, openApiDocuments, SHOP_ROUTES, shopRouteOf, startShopHosts, TOKENS, type ShopRoute } from './shop-hosts';

// Every route of every shop module under random requests: any method, mangled paths and
// queries, every role's token or a garbage one, and bodies shaped like each route's input
// with NUL and lone surrogates in their strings. Every error must be problem+json, none a
// 5xx, and a status a shop route answers must be one its OpenAPI document lists.

const AUTHORIZATIONS = [...Object.values(TOKENS).map((token) => `Bearer ${token}`), 'Bearer not-a-token', 'Bearer', 'Basic c2hvcA=='];

/** A field's value: mostly well formed, often wrong in type, or text with a NUL or a lone surrogate. */
const anyValue = fc.oneof(
  textOrUnsafe(),
  fc.integer({ min: -2, max: 2_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(textOrUnsafe(10), { maxLength: 2 }),
);
const skuLike = fc.oneof(fc.constantFrom(KNOWN_SKU, 'TEE-001', 'NOPE-1'), textOrUnsafe(12));
const lines = fc.array(fc.record({ sku: skuLike, quantity: fc.oneof(fc.integer({ min: 0, max: 1001 }), anyValue) }, { requiredKeys: [] }), { maxLength: 3 });
const bodies = fc.oneof(
  fc
    .record(
      { sku: skuLike, name: fc.oneof(textOrUnsafe(), anyValue), priceCents: fc.oneof(fc.integer({ min: -1, max: 2_000_000 }), anyValue) },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body)),
  fc.record({ priceCents: fc.oneof(fc.integer({ min: -1, max: 2_000_000 }), anyValue) }, { requiredKeys: [] }).map((body) => JSON.stringify(body)),
  fc.record({ quantity: fc.oneof(fc.integer({ min: -1, max: 1_000_001 }), anyValue) }, { requiredKeys: [] }).map((body) => JSON.stringify(body)),
  fc.record({ lines: fc.oneof(lines, anyValue) }, { requiredKeys: [] }).map((body) => JSON.stringify(body)),
  // A key holding the unsafe text, and plain noise.
  fc.tuple(unsafeText(10), anyValue).map(([key, value]) => JSON.stringify({ [key]: value })),
  fc.json(),
  fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}'),
);

const orderIdLike = fc.oneof(fc.uuid(), segment);
/** A path segment holding the text; a lone surrogate, which has no UTF-8, goes as the bytes of one (WTF-8). */
const inPath = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
};
/** A path of the route: its example, its template filled with fuzzed values, or its prefix and random segments. */
const pathsOf = (route: ShopRoute) =>
  fc.oneof(
    fc.constant(route.path),
    fc.tuple(skuLike, orderIdLike).map(([sku, id]) => route.route.replace(':sku', inPath(sku)).replace(/:(id|orderId)/, inPath(id))),
    fc.array(segment, { maxLength: 3 }).map((parts) => `${route.route.replace(/\/:.*$/, '')}/${parts.join('/')}`),
  );

/** The shop's routes by method and path: the dead-letter routes, served by every module, are one each. */
const routeKey = (route: Pick<ShopRoute, 'method' | 'route'>) => `${route.method} ${route.route}`;
const ROUTES_BY_KEY = new Map<string, ShopRoute[]>();
for (const route of SHOP_ROUTES) ROUTES_BY_KEY.set(routeKey(route), [...(ROUTES_BY_KEY.get(routeKey(route)) ?? []), route]);
const ROUTE_KEYS = [...ROUTES_BY_KEY.keys()];
const routesOf = (key: string) => ROUTES_BY_KEY.get(key) ?? [];

/** Each request goes to one route's module, mostly with that route's method; every route as likely as another. */
const requests = fc
  .constantFrom(...ROUTE_KEYS)
  .chain((key) => fc.constantFrom(...routesOf(key)))
  .chain((route) =>
    fc.record({
      module: fc.constant(route.module),
      method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 4 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      target: fc.tuple(pathsOf(route), fc.option(query, { nil: undefined })).map(([path, text]) => (text === undefined ? path : `${path}?${text}`)),
      headers: fc.record(
        {
          authorization: fc.oneof({ arbitrary: fc.constantFrom(...AUTHORIZATIONS), weight: 4 }, { arbitrary: headerValue(), weight: 1 }),
          'content-type': fc.oneof(
            { arbitrary: fc.constant('application/json'), weight: 4 },
            { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded'), weight: 1 },
          ),
          'idempotency-key': fc.oneof(fc.constantFrom('fuzz-1', 'fuzz-2'), visible(1, 300)),
          'if-none-match': fc.oneof(fc.constantFrom('*', '"order-x:0"', `"product-${KNOWN_SKU}:0"`, `W/"stock-${KNOWN_SKU}:0"`), headerValue()),
          'if-match': fc.oneof(fc.constantFrom('*', `"product-${KNOWN_SKU}:0"`, `"product-${KNOWN_SKU}:99"`, 'nonsense'), headerValue()),
        },
        { requiredKeys: [] },
      ),
      body: fc.option(bodies, { nil: undefined }),
    }),
  );

type FuzzRequest = typeof requests extends fc.Arbitrary<infer T> ? T : never;

/** Each request is answered well within this (1-2 ms typically); one that is not fails naming itself. */
const ANSWER_WITHIN_MS = 15_000;

describe('every shop route under random and malformed requests', () => {
  let hosts: Awaited<ReturnType<typeof startShopHosts>>;
  let documents: ReturnType<typeof openApiDocuments>;

  beforeAll(async () => {
    hosts = await startShopHosts();
    documents = openApiDocuments(hosts);
  });
  afterAll(() => hosts?.close());

  it('answers every generated request below 500, every error as problem+json, every route status as documented', async () => {
    const routesReached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(requests, async ({ module, method, target, headers, body }) => {
        const sent = method === 'GET' || method === 'HEAD' ? undefined : body; // fetch sends no body on these
        const stop = new AbortController();
        const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(ANSWER_WITHIN_MS)]);
        const unanswered = (error: unknown) => {
          // Printed at once: shrinking a hang may outlast the test's own timeout.
          const message = `${module} ${method} ${target} was not answered within ${ANSWER_WITHIN_MS} ms (${error instanceof Error ? error.message : error}); headers ${JSON.stringify(headers)}, body ${JSON.stringify(sent)?.slice(0, 300)}`;
          console.error(message);
          throw new Error(message);
        };
        const response = await fetch(`${hosts.urlOf(module)}${target}`, { method, headers, body: sent, redirect: 'manual', signal }).catch(unanswered);
        // An event stream that was let through never ends: its status and headers say enough.
        const streaming = response.ok && response.headers.get('content-type')?.startsWith('text/event-stream');
        const text = streaming ? '' : await response.text().catch(unanswered);
        if (streaming) stop.abort();
        if (response.status >= 500) throw new Error(`${module} ${method} ${target} answered ${response.status}: ${text.slice(0, 300)}`);
        const violation = problemContractViolation(response.status, response.headers.get('content-type'), method);
        if (violation) throw new Error(`${module} ${method} ${target} ${violation}: ${text.slice(0, 200)}`);
        const route = shopRouteOf(module, method, routeOf(target));
        if (!route) return;
        routesReached.add(routeKey(route));
        const undocumented = undocumentedAnswer(documents(module), route, response.status);
        if (undocumented) throw new Error(`${target}: ${undocumented}`);
      }),
      {
        numRuns: 400,
        // Each route's own example first (with the operator's token), so every route is reached
        // whatever the random runs pick; the random runs then fuzz them.
        examples: ROUTE_KEYS.map((key): [FuzzRequest] => {
          const route = routesOf(key)[0] as ShopRoute;
          return [
            {
              module: route.module,
              method: route.method,
              target: route.path,
              headers: { authorization: `Bearer ${TOKENS.operator}` },
              body: undefined,
            } as FuzzRequest,
          ];
        }),
      },
    );
    // Every route was reached, so none went unfuzzed.
    expect([...routesReached].sort()).toEqual([...ROUTE_KEYS].sort());
  });

  const postRoutes = SHOP_ROUTES.filter((route) => route.body !== undefined);
  const rawCases = postRoutes.flatMap((route) =>
    rawUnsafeHeaderValues.map((value) => [`${route.method} ${route.route} with ${JSON.stringify(value)} in a string`, route, value] as const),
  );
  it.each(rawCases)('answers %s, sent as raw bytes, with a problem+json 400', async (_name, route, value) => {
    // The value's bytes go on the wire as they are (latin1): a raw NUL, or the WTF-8 bytes of a lone surrogate.
    const body = JSON.stringify(Object.fromEntries(Object.keys(route.body as object).map((key) => [key, value])));
    const { port } = new URL(hosts.urlOf(route.module));
    const request = `${route.method} ${route.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKENS.admin}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\n\r\n${body}`;
    const answers = rawResponses(await exchangeRaw(hosts.urlOf(route.module), [Buffer.from(request, 'latin1')]));
    expect(answers.map(({ status, headers }) => ({ status, contentType: headers['content-type'] }))).toEqual([
      { status: 400, contentType: expect.stringMatching(/^application\/problem\+json/) },
    ]);
  });
});
