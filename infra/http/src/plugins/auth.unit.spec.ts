import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../problem';
import { createHttpServer, type HttpServer } from '../server';
import { authTokensFromEnv } from './auth';

const FORMAT_MESSAGE = 'expected comma-separated subject:token:role+role entries';

describe('authTokensFromEnv', () => {
  const parse = (text: unknown) => authTokensFromEnv().safeParse(text);

  it('reads each entry as a token of a subject with its roles', () => {
    const tokens = authTokensFromEnv().parse('ops:s3cret:orders.admin+sagas.operate,shop:t0ken:orders.write');
    expect(tokens).toEqual(
      new Map([
        ['s3cret', { subject: 'ops', roles: ['orders.admin', 'sagas.operate'] }],
        ['t0ken', { subject: 'shop', roles: ['orders.write'] }],
      ]),
    );
  });

  it('ignores space and line breaks around entries, and empty entries', () => {
    const tokens = authTokensFromEnv().parse('  ops:s3cret:orders.admin ,\n shop:t0ken:orders.write\n,, ');
    expect([...tokens.keys()]).toEqual(['s3cret', 't0ken']);
    expect(tokens.get('t0ken')).toEqual({ subject: 'shop', roles: ['orders.write'] });
  });

  it('reads nothing as no tokens', () => {
    expect(authTokensFromEnv().parse('')).toEqual(new Map());
  });

  it("splits roles on '+', dropping empty ones; a token may have none", () => {
    expect(authTokensFromEnv().parse('ops:s3cret:a++b+').get('s3cret')).toEqual({ subject: 'ops', roles: ['a', 'b'] });
    expect(authTokensFromEnv().parse('ops:s3cret:').get('s3cret')).toEqual({ subject: 'ops', roles: [] });
  });

  it.each([
    ['a bare word', 'ops'],
    ['an entry without roles', 'ops:s3cret'],
    ['an entry without a subject', ':s3cret:orders.admin'],
    ['an entry without a token', 'ops::orders.admin'],
    ['an entry with a fourth part', 'ops:s3cret:orders.admin:extra'],
    ['one bad entry among good ones', 'ops:s3cret:orders.admin,shop'],
  ])('refuses %s with the documented message, without echoing the value', (_what, text) => {
    const result = parse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([FORMAT_MESSAGE]);
    expect(JSON.stringify(result.error)).not.toMatch(/s3cret/);
  });

  it('refuses a value that is not a string', () => {
    expect(parse(42).success).toBe(false);
  });
});

// ---- The bearer auth plugin, through the server that registers it ----

const SERVICE = 'auth-spec';
const TOKENS = 'ops:admin-token:orders.admin+sagas.operate,shop:shop-token:orders.write,viewer:viewer-token:';

const serve = async () => {
  const app: HttpServer = await createHttpServer({
    service: SERVICE,
    api: { title: 'auth spec', version: '1.0.0' },
    logger: createLogger({ service: SERVICE, destination: { write: () => undefined } }),
    metrics: createMetrics(SERVICE, { processMetrics: false }),
    tracer: startTracing(SERVICE).tracer,
    authTokens: authTokensFromEnv().parse(TOKENS),
  });
  const whoAmI = async (request: { principal?: unknown }) => ({ principal: request.principal ?? null });
  app.get('/v1/admin', { config: { auth: { roles: ['orders.admin'] } } }, whoAmI);
  app.get('/v1/orders', { config: { auth: { roles: ['orders.admin', 'orders.write'] } } }, whoAmI);
  app.post('/v1/orders', { config: { auth: { roles: ['orders.write'] } }, schema: { body: z.strictObject({ sku: z.string() }) } }, whoAmI);
  app.get('/v1/public', whoAmI);
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

  const call = async (path: string, authorization?: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    const response = await fetch(`${server.url}${path}`, { ...init, headers: { ...init.headers, ...(authorization && { authorization }) } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Problem };
  };

  it.each([
    ['no Authorization header', undefined],
    ['an unknown token', 'Bearer nope'],
    ['a token of another scheme', 'Basic b3BzOmFkbWluLXRva2Vu'],
    ['a bearer without its token', 'Bearer '],
    ['a token with trailing words', 'Bearer admin-token extra'],
  ])('answers 401 with a Bearer challenge for %s', async (_what, authorization) => {
    const { status, headers, body } = await call('/v1/admin', authorization);
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(headers.get('content-type')?.split(';')[0]).toBe(PROBLEM_CONTENT_TYPE);
    expect(body).toMatchObject({ status: 401, title: 'Unauthorized', instance: '/v1/admin' });
  });

  it('answers 403 to a known token without any of the roles, naming them', async () => {
    for (const token of ['shop-token', 'viewer-token']) {
      const { status, headers, body } = await call('/v1/admin', `Bearer ${token}`);
      expect(status).toBe(403);
      expect(headers.get('www-authenticate')).toBeNull();
      expect(body).toMatchObject({ status: 403, title: 'Forbidden', detail: expect.stringContaining('orders.admin') });
    }
  });

  it('admits a token with the role, and hands the handler its principal', async () => {
    const { status, body } = await call('/v1/admin', 'Bearer admin-token');
    expect(status).toBe(200);
    expect(body).toEqual({ principal: { subject: 'ops', roles: ['orders.admin', 'sagas.operate'] } });
  });

  it('admits any one of the listed roles, whatever case the scheme is written in', async () => {
    expect((await call('/v1/orders', 'Bearer shop-token')).body).toEqual({ principal: { subject: 'shop', roles: ['orders.write'] } });
    expect((await call('/v1/orders', 'bearer admin-token')).status).toBe(200);
  });

  it('checks the token before the body, so an anonymous caller learns nothing of the schema', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ wrong: true }) };
    expect((await call('/v1/orders', undefined, init)).status).toBe(401);
    expect((await call('/v1/orders', 'Bearer shop-token', init)).status).toBe(400);
  });

  it('needs no token on a route without auth config, and ignores one sent anyway', async () => {
    expect(await call('/v1/public')).toMatchObject({ status: 200, body: { principal: null } });
    expect(await call('/v1/public', 'Bearer nope')).toMatchObject({ status: 200, body: { principal: null } });
  });
});
