import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { authTokensFromEnv } from './plugins/auth';
import type { Problem } from './problem';
import { createHttpServer, type HttpServer } from './server';
import { browserSessionRoutes } from './session-routes';

// Browser sessions (plugins/browser-session.ts) through a real server: login, the cookie on
// browser routes only, and the cross-site and CSRF refusals of their unsafe methods.

const SERVICE = 'session-spec';
const TOKENS = 'watch:viewer-token:viewer,run:operator-token:operator,shop:customer-token:customer';

const serve = async () => {
  const app: HttpServer = await createHttpServer({
    service: SERVICE,
    api: { title: 'session spec', version: '1.0.0' },
    logger: createLogger({ service: SERVICE, destination: { write: () => undefined } }),
    metrics: createMetrics(SERVICE, { processMetrics: false }),
    tracer: startTracing(SERVICE).tracer,
    authTokens: authTokensFromEnv().parse(TOKENS),
  });
  browserSessionRoutes({ prefix: '/v1/page', minimumRole: 'viewer' })(app);
  const whoAmI = async (request: { principal?: { subject: string }; credential?: { via: string } }) => ({
    subject: request.principal?.subject ?? null,
    via: request.credential?.via ?? null,
  });
  app.get('/v1/page/things', { config: { access: 'viewer', browser: true } }, whoAmI);
  app.post('/v1/page/things', { config: { access: 'operator', browser: true } }, whoAmI);
  app.get('/v1/api/things', { config: { access: 'viewer' } }, whoAmI);
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
};

describe('browser sessions', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server?.app.close();
  });

  const call = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      cookies: response.headers.getSetCookie(),
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & Problem,
    };
  };
  /** Logs in; answers the Cookie header a browser would send afterwards and the CSRF token. */
  const login = async (token: string) => {
    const answer = await call('/v1/page/session', { method: 'POST', body: { token } });
    expect(answer.status).toBe(200);
    const cookie = answer.cookies.map((line) => line.split(';')[0]).join('; ');
    return { cookie, csrfToken: answer.body.csrfToken as string, answer };
  };

  it('logs in with a token: an HttpOnly, SameSite=Strict cookie, and who it is with a CSRF token', async () => {
    const { answer } = await login('operator-token');
    expect(answer.body).toMatchObject({ subject: 'run', roles: ['operator'] });
    expect(answer.body.csrfToken).toEqual(expect.any(String));
    const session = answer.cookies.find((line) => line.startsWith('ordo_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).not.toMatch(/Secure/); // plain HTTP here; over HTTPS it is Secure
    expect(answer.cookies.some((line) => line.startsWith('_csrf=') && /HttpOnly/.test(line))).toBe(true);
  });

  it('refuses an unknown token (401) and one below the page’s role (403), setting no cookie', async () => {
    const unknown = await call('/v1/page/session', { method: 'POST', body: { token: 'nope' } });
    expect(unknown).toMatchObject({ status: 401, cookies: [] });
    const customer = await call('/v1/page/session', { method: 'POST', body: { token: 'customer-token' } });
    expect(customer).toMatchObject({ status: 403, cookies: [] });
    expect(customer.body.detail).toMatch(/needs the role viewer/);
  });

  it('takes the session cookie on browser routes only', async () => {
    const { cookie } = await login('viewer-token');
    expect((await call('/v1/page/things', { headers: { cookie } })).body).toEqual({ subject: 'watch', via: 'session' });
    expect((await call('/v1/page/session', { headers: { cookie } })).body).toMatchObject({ subject: 'watch', roles: ['viewer'] });
    expect((await call('/v1/api/things', { headers: { cookie } })).status).toBe(401);
    expect((await call('/v1/page/things')).status).toBe(401);
  });

  it('refuses a session cookie whose token is no longer admitted', async () => {
    const answer = await call('/v1/page/things', { headers: { cookie: 'ordo_session=revoked' } });
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toMatch(/log in again/);
  });

  it('needs the session’s CSRF token for a change, and takes it', async () => {
    const { cookie, csrfToken } = await login('operator-token');
    const without = await call('/v1/page/things', { method: 'POST', headers: { cookie } });
    expect(without.status).toBe(403);
    const wrong = await call('/v1/page/things', { method: 'POST', headers: { cookie, 'x-csrf-token': `${csrfToken}x` } });
    expect(wrong.status).toBe(403);
    const right = await call('/v1/page/things', { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(right).toMatchObject({ status: 200, body: { subject: 'run', via: 'session' } });
  });

  it('refuses a change another site sent, token or not', async () => {
    const { cookie, csrfToken } = await login('operator-token');
    const headers = { cookie, 'x-csrf-token': csrfToken };
    const crossSite = await call('/v1/page/things', { method: 'POST', headers: { ...headers, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.detail).toMatch(/cross-site request/);
    const otherOrigin = await call('/v1/page/things', { method: 'POST', headers: { ...headers, origin: 'https://evil.example' } });
    expect(otherOrigin.status).toBe(403);
    expect(otherOrigin.body.detail).toMatch(/evil\.example/);
    const sameOrigin = await call('/v1/page/things', { method: 'POST', headers: { ...headers, origin: server.url, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBe(200);
    const crossSiteLogin = await call('/v1/page/session', { method: 'POST', body: { token: 'viewer-token' }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSiteLogin.status).toBe(403);
  });

  it('lets a bearer caller change without a CSRF token: it sent its token on purpose', async () => {
    const answer = await call('/v1/page/things', { method: 'POST', headers: { authorization: 'Bearer operator-token' } });
    expect(answer).toMatchObject({ status: 200, body: { subject: 'run', via: 'header' } });
  });

  it('logs out by clearing both cookies', async () => {
    const answer = await call('/v1/page/session', { method: 'DELETE' });
    expect(answer.status).toBe(204);
    expect(answer.cookies.map((line) => line.split('=')[0])).toEqual(['ordo_session', '_csrf']);
    expect(answer.cookies.every((line) => /Expires=Thu, 01 Jan 1970/.test(line))).toBe(true);
  });
});
