import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineHttpService, runHttpService, type HttpServer, type RunningHttpService } from '@ordo/http';
import { gatewayService } from './service';
import type { GatewayRoute } from './routes';

// The gateway in front of real services built on the chassis, each on a real port.

const TOKENS = 'alice:alice-token:customer,ops:operator-token:operator';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const quiet = { LOG_LEVEL: 'silent', PORT: '0', AUTH_TOKENS: TOKENS };

/** What a service saw of a request: its headers and who it took the client for. */
const seenBy = (request: { headers: Record<string, unknown>; ip: string; id: string; host: string }) => ({
  correlationId: request.id,
  host: request.host,
  traceparent: request.headers.traceparent,
  forwardedFor: request.headers['x-forwarded-for'],
  ip: request.ip,
});

const startService = (name: string, routes: (app: HttpServer) => void, env: Record<string, string> = {}) =>
  runHttpService(
    defineHttpService({
      name,
      api: { title: name, version: '1.0.0' },
      config: {},
      setup: async () => ({
        authTokens: new Map([
          ['alice-token', { subject: 'alice', roles: ['customer' as const] }],
          ['operator-token', { subject: 'ops', roles: ['operator' as const] }],
        ]),
        routes: (app) => {
          routes(app);
          // Under jest the docs UI is a stub that serves nothing: the document is served here instead.
          app.get('/docs/json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
        },
      }),
    }),
    { ...quiet, ...env },
  );

describe('the gateway', () => {
  let orders: RunningHttpService;
  let view: RunningHttpService;
  let gateway: RunningHttpService;
  let busyCalls = 0;
  let placedCalls = 0;
  const order = z.object({ sku: z.string(), quantity: z.number().int() });

  const table: GatewayRoute[] = [
    { prefix: '/v1/orders', service: 'orders', methods: ['POST'] },
    { prefix: '/v1/orders', service: 'orders-view', methods: ['GET'] },
    { prefix: '/v1/slow', service: 'orders' },
    { prefix: '/v1/gone', service: 'gone' },
  ];
  const call = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    orders = await startService(
      'orders',
      (app) => {
        app.post('/v1/orders', { config: { access: 'customer' }, schema: { body: order } }, async (request, reply) => {
          placedCalls++;
          return reply
            .code(201)
            .header('location', '/v1/orders/o-1')
            .header('etag', '"order-o-1:0"')
            .send({ received: request.body, seen: seenBy(request) });
        });
        app.get('/v1/slow/sleep', { config: { access: 'public' } }, async () => {
          await sleep(2_000);
          return { late: true };
        });
        app.get('/v1/unrouted', { config: { access: 'public' } }, async () => ({ here: true }));
        app.get('/v1/slow/busy', { config: { access: 'public' } }, async (_request, reply) => {
          busyCalls++;
          return reply.code(503).header('retry-after', '1').type('application/problem+json').send({ status: 503, title: 'Service Unavailable' });
        });
      },
      // It believes the gateway (on this machine) about who the client is.
      { TRUST_PROXY: '127.0.0.1' },
    );
    view = await startService('orders-view', (app) => {
      app.get('/v1/orders/:id', { config: { access: 'customer' }, schema: { params: z.object({ id: z.string() }) } }, async (request) => ({
        id: request.params.id,
        from: 'orders-view',
      }));
    });
    // A port nothing listens on: the gateway's own, taken and given back.
    const closed = await startService('gone', () => undefined);
    const goneUrl = closed.url;
    await closed.lifecycle.shutdown('test');
    gateway = await runHttpService(gatewayService({ table }), {
      ...quiet,
      UPSTREAM_URLS: `orders=${orders.url},orders-view=${view.url},gone=${goneUrl}`,
      UPSTREAM_TIMEOUT_MS: '300',
      BODY_LIMIT_BYTES: '2048',
      RATE_LIMIT_MAX: '40',
      DOCS_WAIT_MS: '0',
    });
  });

  afterAll(async () => {
    await gateway?.lifecycle.shutdown('test');
    await orders?.lifecycle.shutdown('test');
    await view?.lifecycle.shutdown('test');
  });

  it('sends a path to its service by method: commands to orders, reads to the view', async () => {
    const placed = await post('/v1/orders', { sku: 'MUG-1', quantity: 2 }, { authorization: 'Bearer alice-token' });
    expect(placed.status).toBe(201);
    expect(placedCalls).toBe(1);
    expect(placed.headers.get('location')).toBe('/v1/orders/o-1');
    expect(placed.headers.get('etag')).toBe('"order-o-1:0"');
    expect(await placed.json()).toMatchObject({ received: { sku: 'MUG-1', quantity: 2 } });

    const read = await call('/v1/orders/o-1?fields=all', { headers: { authorization: 'Bearer alice-token' } });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ id: 'o-1', from: 'orders-view' });
  });

  it("leaves who may call a route to its service: the service's 401 and 400 come back as they are", async () => {
    const anonymous = await post('/v1/orders', { sku: 'MUG-1', quantity: 2 });
    expect(anonymous.status).toBe(401);
    const invalid = await post('/v1/orders', { sku: 7 }, { authorization: 'Bearer alice-token' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await invalid.json()) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
  });

  it('forwards the correlation id, the trace and who the client is', async () => {
    const response = await post(
      '/v1/orders',
      { sku: 'MUG-1', quantity: 1 },
      {
        authorization: 'Bearer alice-token',
        'x-correlation-id': 'corr-gateway-1',
        traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
        // A client's own claim about its address: not believed by the gateway.
        'x-forwarded-for': '203.0.113.9',
      },
    );
    const { seen } = (await response.json()) as { seen: ReturnType<typeof seenBy> };
    expect(seen.correlationId).toBe('corr-gateway-1');
    expect(seen.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-0[01]$`));
    expect(seen.forwardedFor).toBe('127.0.0.1');
    expect(seen.ip).toBe('127.0.0.1');
    // The host the client asked for, not the service's own: what a browser route compares Origin with.
    expect(seen.host).toBe(new URL(gateway.url).host);

    // The service believes X-Forwarded-For from the addresses in its TRUST_PROXY (here, this machine's).
    const direct = await fetch(`${orders.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer alice-token', 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ sku: 'MUG-1', quantity: 1 }),
    });
    expect(((await direct.json()) as { seen: ReturnType<typeof seenBy> }).seen.ip).toBe('198.51.100.7');
  });

  it('answers 502 problem+json, naming the service, when a service is not there', async () => {
    const response = await call('/v1/gone/anything');
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 502, title: 'Bad Gateway', service: 'gone', detail: expect.stringMatching(/^gone did not answer/) });
  });

  it('answers 504 problem+json when a service takes longer than the timeout', async () => {
    const response = await call('/v1/slow/sleep');
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ status: 504, service: 'orders', detail: 'orders did not answer within 300 ms' });
  });

  it("passes a service's 503 back once, with its Retry-After: the client decides whether to retry", async () => {
    busyCalls = 0;
    const response = await call('/v1/slow/busy');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(busyCalls).toBe(1);
  });

  it('refuses a body over its limit with 413 before any service sees it, and paths it does not route with 404', async () => {
    const before = placedCalls;
    const large = await post('/v1/orders', { sku: 'x'.repeat(4_096), quantity: 1 }, { authorization: 'Bearer alice-token' });
    expect(large.status).toBe(413);
    expect(placedCalls).toBe(before);
    expect(large.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const unknown = await call('/v1/elsewhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it("serves one OpenAPI document with each service's routed operations", async () => {
    const document = gateway.app.swagger() as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(document.paths['/v1/orders']?.post?.tags).toEqual(['orders']);
    expect(document.paths['/v1/orders/{id}']?.get?.tags).toEqual(['orders-view']);
    expect(document.paths['/v1/slow/busy']?.get?.tags).toEqual(['orders']);
    // A service's operation the table does not route to it stays out.
    expect(document.paths['/v1/unrouted']).toBeUndefined();
    // Its own catch-all proxy routes are not operations.
    expect(Object.keys(document.paths).filter((path) => path.endsWith('/') || path.includes('{*}'))).toEqual([]);
  });

  it('limits each client: past RATE_LIMIT_MAX in the window, 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 45; index++) statuses.push((await call('/v1/orders/o-1', { headers: { authorization: 'Bearer operator-token' } })).status);
    expect(statuses.slice(0, 40).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(40).every((status) => status === 429)).toBe(true);
  });

  it('refuses to start with a table that names a service it has no URL for', async () => {
    await expect(runHttpService(gatewayService({ table }), { ...quiet, UPSTREAM_URLS: `orders=${orders.url}` })).rejects.toThrow(
      /UPSTREAM_URLS.*goes to 'orders-view', which has no upstream URL/s,
    );
  });
});

describe('the gateway in front of replicas', () => {
  const running: RunningHttpService[] = [];
  let gateway: RunningHttpService;

  beforeAll(async () => {
    const replica = (name: string) =>
      startService('things', (app) => {
        app.post('/v1/things', { config: { access: 'public' } }, async (_request, reply) => reply.code(201).send({ replica: name }));
      });
    const [first, second, stopped] = await Promise.all([replica('first'), replica('second'), replica('stopped')]);
    running.push(first, second);
    await stopped.lifecycle.shutdown('test');
    gateway = await runHttpService(gatewayService({ table: [{ prefix: '/v1/things', service: 'things' }] }), {
      ...quiet,
      // One name three times: three replicas, the last of which is down.
      UPSTREAM_URLS: `things=${first.url},things=${second.url},things=${stopped.url}`,
      DOCS_WAIT_MS: '0',
    });
  });
  afterAll(async () => {
    await gateway?.lifecycle.shutdown('test');
    for (const service of running) await service.lifecycle.shutdown('test');
  });

  it('sends each request to the next replica in turn, a POST too, and answers 502 for the turn of one that is down', async () => {
    const answers = [];
    for (let index = 0; index < 6; index++) {
      const response = await fetch(`${gateway.url}/v1/things`, { method: 'POST' });
      answers.push(response.status === 201 ? ((await response.json()) as { replica: string }).replica : response.status);
    }
    expect(answers).toEqual(['first', 'second', 502, 'first', 'second', 502]);
  });
});
