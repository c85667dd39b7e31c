import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../problem';
import { createHttpServer, type HttpServer } from '../server';
import { authTokensFromEnv, hasAccess, type Access, type Principal } from './auth';

const FORMAT_MESSAGE = 'expected comma-separated subject:token:role+role entries';

describe('authTokensFromEnv', () => {
  const parse = (text: unknown) => authTokensFromEnv().safeParse(text);

  it('reads each entry as a token of a subject with its roles', () => {
    const tokens = authTokensFromEnv().parse('ops:s3cret:admin+customer,shop:t0ken:operator');
    expect(tokens).toEqual(
      new Map([
        ['s3cret', { subject: 'ops', roles: ['admin', 'customer'] }],
        ['t0ken', { subject: 'shop', roles: ['operator'] }],
      ]),
    );
  });

  it('ignores space and line breaks around entries, empty entries and empty roles', () => {
    const tokens = authTokensFromEnv().parse('  ops:s3cret:admin ,\n shop:t0ken:viewer++\n,, ');
    expect([...tokens.keys()]).toEqual(['s3cret', 't0ken']);
    expect(tokens.get('t0ken')).toEqual({ subject: 'shop', roles: ['viewer'] });
  });

  it('reads nothing as no tokens', () => {
    expect(authTokensFromEnv().parse('')).toEqual(new Map());
  });

  it.each([
    ['a bare word', 'ops'],
    ['an entry without roles', 'ops:s3cret'],
    ['an entry without a subject', ':s3cret:admin'],
    ['an entry without a token', 'ops::admin'],
    ['an entry with a fourth part', 'ops:s3cret:admin:extra'],
    ['one bad entry among good ones', 'ops:s3cret:admin,shop'],
  ])('refuses %s with the documented message, without echoing the value', (_what, text) => {
    const result = parse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([FORMAT_MESSAGE]);
    expect(JSON.stringify(result.error)).not.toMatch(/s3cret/);
  });

  it.each([
    ['an unknown role', 'ops:s3cret:admin+superuser'],
    ['a role of the old dotted kind', 'ops:s3cret:orders.admin'],
    ['no role at all', 'ops:s3cret:'],
  ])('refuses %s, naming the subject and the known roles but not the token', (_what, text) => {
    const result = parse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^ops: expected roles among customer, viewer, operator, admin/);
    expect(JSON.stringify(result.error)).not.toMatch(/s3cret/);
  });

  it('refuses a value that is not a string', () => {
    expect(parse(42).success).toBe(false);
  });
});

describe('hasAccess', () => {
  const viewer: Principal = { subject: 'v', roles: ['viewer'] };
  it.each([
    ['public', undefined, true],
    ['customer', undefined, false],
    ['public', viewer, true],
    ['customer', viewer, true],
    ['viewer', viewer, true],
    ['operator', viewer, false],
    ['admin', viewer, false],
    ['admin', { subject: 'a', roles: ['customer', 'admin'] }, true],
  ] satisfies [Access, Principal | undefined, boolean][])('%s for %j is %s: a role includes every role below it', (level, principal, expected) => {
    expect(hasAccess(principal, level)).toBe(expected);
  });
});

// ---- The bearer auth plugin, through the server that registers it ----

const SERVICE = 'auth-spec';
const TOKENS = 'ops:admin-token:admin,shop:customer-token:customer,watch:viewer-token:viewer,run:operator-token:operator';
const logger = createLogger({ service: SERVICE, destination: { write: () => undefined } });
const optionsWith = (authTokens: ReadonlyMap<string, Principal>) => ({
  service: SERVICE,
  api: { title: 'auth spec', version: '1.0.0' },
  logger,
  metrics: createMetrics(SERVICE, { processMetrics: false }),
  tracer: startTracing(SERVICE).tracer,
  authTokens,
});

const serve = async (authTokens = authTokensFromEnv().parse(TOKENS)) => {
  const app: HttpServer = await createHttpServer(optionsWith(authTokens));
  const whoAmI = async (request: { principal?: unknown }) => ({ principal: request.principal ?? null });
  app.get('/v1/admin', { config: { access: 'admin' } }, whoAmI);
  app.get('/v1/operate', { config: { access: 'operator' } }, whoAmI);
  app.get('/v1/orders', { config: { access: 'viewer' } }, whoAmI);
  app.post('/v1/orders', { config: { access: 'customer' }, schema: { body: z.strictObject({ sku: z.string() }) } }, whoAmI);
  app.get('/v1/public', { config: { access: 'public' } }, whoAmI);
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
};

describe('the bearer auth plugin', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server?.app.close();
  });

  const call = async (
    path: string,
    authorization?: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    base = server.url,
  ) => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { ...init.headers, ...(authorization && { authorization }) } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Problem };
  };

  it('answers 401 with a Bearer challenge to an anonymous caller on every route that is not public', async () => {
    for (const path of ['/v1/admin', '/v1/operate', '/v1/orders', '/metrics']) {
      const { status, headers, body } = await call(path);
      expect({ path, status }).toEqual({ path, status: 401 });
      expect(headers.get('www-authenticate')).toBe('Bearer');
      expect(headers.get('content-type')?.split(';')[0]).toBe(PROBLEM_CONTENT_TYPE);
      expect(body).toMatchObject({ status: 401, title: 'Unauthorized', instance: path });
    }
  });

  it.each([
    ['an unknown token', 'Bearer nope'],
    ['a token of another scheme', 'Basic b3BzOmFkbWluLXRva2Vu'],
    ['a bearer without its token', 'Bearer '],
    ['a token with trailing words', 'Bearer admin-token extra'],
  ])('answers 401 for %s on any route, public ones and unknown ones included', async (_what, authorization) => {
    for (const path of ['/v1/admin', '/v1/public', '/health/live', '/v2/nothing']) {
      const { status, headers, body } = await call(path, authorization);
      expect({ path, status }).toEqual({ path, status: 401 });
      expect(headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(body).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('answers 403 to a valid token whose role is too low, naming the level', async () => {
    for (const [path, token] of [
      ['/v1/admin', 'operator-token'],
      ['/v1/operate', 'viewer-token'],
      ['/v1/orders', 'customer-token'],
      ['/metrics', 'customer-token'],
    ] as const) {
      const { status, headers, body } = await call(path, `Bearer ${token}`);
      expect({ path, token, status }).toEqual({ path, token, status: 403 });
      expect(headers.get('www-authenticate')).toBeNull();
      expect(body).toMatchObject({ status: 403, title: 'Forbidden', detail: expect.stringMatching(/needs the role \w+ or a higher one/) });
    }
  });

  it('admits a role and every role above it, handing the handler its principal', async () => {
    expect((await call('/v1/operate', 'Bearer operator-token')).body).toEqual({ principal: { subject: 'run', roles: ['operator'] } });
    expect((await call('/v1/operate', 'Bearer admin-token')).status).toBe(200);
    expect((await call('/v1/orders', 'bearer viewer-token')).status).toBe(200);
    expect((await call('/v1/admin', 'Bearer admin-token')).status).toBe(200);
  });

  it('checks the token before the body, so an anonymous caller learns nothing of the schema', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wrong: true }) };
    expect((await call('/v1/orders', undefined, init)).status).toBe(401);
    expect((await call('/v1/orders', 'Bearer customer-token', init)).status).toBe(400);
  });

  it('sets the principal of a valid token on a public route, and none without a token', async () => {
    expect(await call('/v1/public')).toMatchObject({ status: 200, body: { principal: null } });
    expect(await call('/v1/public', 'Bearer customer-token')).toMatchObject({ status: 200, body: { principal: { subject: 'shop', roles: ['customer'] } } });
  });

  it('with no tokens configured, refuses every route that is not public and serves the public ones', async () => {
    const closed = await serve(new Map());
    try {
      expect((await call('/v1/orders', undefined, {}, closed.url)).status).toBe(401);
      expect((await call('/v1/admin', 'Bearer admin-token', {}, closed.url)).status).toBe(401);
      expect((await call('/v1/public', undefined, {}, closed.url)).status).toBe(200);
    } finally {
      await closed.app.close();
    }
  });

  it('refuses to register a route that declares no access, naming its method and path', async () => {
    const app: HttpServer = await createHttpServer(optionsWith(new Map()));
    try {
      expect(() => app.get('/v1/forgotten', async () => ({}))).toThrow(/route GET \/v1\/forgotten declares no access/);
      expect(() => app.post('/v1/forgotten', { config: {} }, async () => ({}))).toThrow(/route POST \/v1\/forgotten declares no access/);
    } finally {
      await app.close();
    }
  });
});
