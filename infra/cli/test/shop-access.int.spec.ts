import { ROLES, type Access, type Role } from '@ordo/http';
import { openApiPath, undocumentedAnswer } from '@ordo/http/fuzz';
import { openApiDocuments, SHOP_ROUTES, startShopHosts, TOKENS, type ShopRoute } from './shop-hosts';
import { shopServices } from '../src/shop';

// Every shop route against its row of the policy (docs/security.md), as callers need a
// token (standalone mode): who is refused with which status, who gets through, and that
// every status answered here is one the route's OpenAPI document lists.

/** The token of each role; the customer's stands for the lowest role. */
const TOKEN_OF: Record<Role, string> = { customer: TOKENS.customer, viewer: TOKENS.viewer, operator: TOKENS.operator, admin: TOKENS.admin };
const below = (access: Access): Role[] => (access === 'public' ? [] : ROLES.slice(0, ROLES.indexOf(access)));
const atOrAbove = (access: Access): Role[] => (access === 'public' ? [...ROLES] : ROLES.slice(ROLES.indexOf(access)));

describe('who may call each shop route', () => {
  let hosts: Awaited<ReturnType<typeof startShopHosts>>;
  let documents: ReturnType<typeof openApiDocuments>;
  const answered: { route: ShopRoute; status: number }[] = [];

  beforeAll(async () => {
    hosts = await startShopHosts();
    documents = openApiDocuments(hosts);
  });
  afterAll(() => hosts?.close());

  const call = async (route: ShopRoute, authorization?: string) => {
    const headers: Record<string, string> = {
      ...(authorization && { authorization }),
      ...(route.body !== undefined && { 'content-type': 'application/json' }),
    };
    const stop = new AbortController();
    const response = await fetch(`${hosts.urlOf(route.module)}${route.path}`, {
      method: route.method,
      headers,
      body: route.body === undefined ? undefined : JSON.stringify(route.body),
      signal: stop.signal,
    });
    // A stream that was let through never ends: its status says enough.
    const streaming = route.stream && response.ok;
    const text = streaming ? '' : await response.text();
    if (streaming) stop.abort();
    answered.push({ route, status: response.status });
    return { status: response.status, contentType: response.headers.get('content-type'), wwwAuthenticate: response.headers.get('www-authenticate'), text };
  };
  const name = (route: ShopRoute) => `${route.method} ${route.route} (${route.access})`;

  it('has a policy row for every route each module serves, and none for a route that does not exist', () => {
    const served = shopServices
      .map(({ name: module }) => [module, documents(module)] as const)
      .flatMap(([module, document]) =>
        Object.entries(document.paths)
          // The API, and the saga dashboard's page: not /docs, /health or /metrics.
          .filter(([path]) => path.startsWith('/v1/') || path.startsWith('/dashboard'))
          .flatMap(([path, operations]) =>
            Object.keys(operations)
              .filter((method) => method !== 'head')
              .map((method) => `${module} ${method.toUpperCase()} ${path}`),
          ),
      );
    expect(served.sort()).toEqual(SHOP_ROUTES.map((route) => `${route.module} ${route.method} ${openApiPath(route.route)}`).sort());
  });

  const guarded = SHOP_ROUTES.filter((route) => route.access !== 'public');
  it.each(guarded.map((route) => [name(route), route] as const))('%s: 401 without a token and with a garbage one, problem+json', async (_name, route) => {
    const anonymous = await call(route);
    expect({ status: anonymous.status, contentType: anonymous.contentType, wwwAuthenticate: anonymous.wwwAuthenticate }).toEqual({
      status: 401,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      wwwAuthenticate: 'Bearer',
    });
    const garbage = await call(route, 'Bearer not-a-token-anyone-holds');
    expect({ status: garbage.status, contentType: garbage.contentType, wwwAuthenticate: garbage.wwwAuthenticate }).toEqual({
      status: 401,
      contentType: expect.stringMatching(/^application\/problem\+json/),
      wwwAuthenticate: 'Bearer error="invalid_token"',
    });
  });

  const withLowerRoles = guarded.filter((route) => below(route.access).length > 0);
  it.each(withLowerRoles.map((route) => [name(route), route] as const))('%s: 403 for every role below it, problem+json', async (_name, route) => {
    for (const role of below(route.access)) {
      const answer = await call(route, `Bearer ${TOKEN_OF[role]}`);
      expect({ role, status: answer.status, contentType: answer.contentType }).toEqual({
        role,
        status: 403,
        contentType: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(JSON.parse(answer.text)).toMatchObject({ status: 403, detail: `this route needs the role ${route.access} or a higher one` });
    }
  });

  it.each(SHOP_ROUTES.map((route) => [name(route), route] as const))('%s: lets its role and every higher one through', async (_name, route) => {
    const callers = [
      ...(route.access === 'public' ? [{ role: 'anonymous', authorization: undefined }] : []),
      ...atOrAbove(route.access).map((role) => ({ role, authorization: `Bearer ${TOKEN_OF[role]}` })),
    ];
    for (const { role, authorization } of callers) {
      const answer = await call(route, authorization);
      // Past auth: the route's own answer (a 404 for an id nobody placed is one), never a refusal or a failure.
      expect({ role, refused: [401, 403].includes(answer.status), failed: answer.status >= 500 }).toEqual({ role, refused: false, failed: false });
    }
  });

  it('answers a garbage token with 401 on public routes too', async () => {
    for (const route of SHOP_ROUTES.filter((candidate) => candidate.access === 'public')) {
      const answer = await call(route, 'Bearer not-a-token-anyone-holds');
      expect({ route: name(route), status: answer.status, contentType: answer.contentType }).toEqual({
        route: name(route),
        status: 401,
        contentType: expect.stringMatching(/^application\/problem\+json/),
      });
    }
  });

  it('answers conditional reads and bad input as documented', async () => {
    const etagOf = async (route: ShopRoute) => {
      const response = await fetch(`${hosts.urlOf(route.module)}${route.path}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
      // Only the headers are read: the body is let go, or one too large to sit in the socket's buffers (the dashboard's
      // script) holds its connection, and the host's close waits for it.
      await response.body?.cancel();
      return response.headers.get('etag');
    };
    for (const route of SHOP_ROUTES.filter((candidate) => candidate.method === 'GET')) {
      const etag = await etagOf(route);
      if (etag) {
        const response = await fetch(`${hosts.urlOf(route.module)}${route.path}`, {
          headers: { authorization: `Bearer ${TOKENS.viewer}`, 'if-none-match': etag },
        });
        expect({ route: name(route), status: response.status }).toEqual({ route: name(route), status: 304 });
        answered.push({ route, status: response.status });
      }
    }
    for (const route of SHOP_ROUTES.filter((candidate) => candidate.route.includes(':') || candidate.body !== undefined)) {
      const path = route.route.includes(':') ? route.route.replace(/:\w+/g, 'not valid') : route.path;
      const response = await fetch(`${hosts.urlOf(route.module)}${path}`, {
        method: route.method,
        headers: { authorization: `Bearer ${TOKENS.admin}`, ...(route.body !== undefined && { 'content-type': 'application/json' }) },
        body: route.body === undefined ? undefined : JSON.stringify({ unexpected: true }),
      });
      expect({ route: name(route), status: response.status }).toEqual({ route: name(route), status: 400 });
      answered.push({ route, status: response.status });
    }
    // 409: the product listed by the operator above, listed again by the admin.
    expect(new Set(answered.map(({ status }) => status))).toEqual(new Set([200, 201, 204, 304, 400, 401, 403, 404, 409]));
  });

  it('documents in its OpenAPI every status each route answered above', () => {
    expect(answered.length).toBeGreaterThan(SHOP_ROUTES.length);
    const undocumented = answered
      .map(({ route, status }) => undocumentedAnswer(documents(route.module), route, status))
      .filter((problem) => problem !== undefined);
    expect([...new Set(undocumented)]).toEqual([]);
  });
});
