import http from 'node:http';
import net from 'node:net';
import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problem';
import { createHttpServer, type HttpServer } from './server';
import { authTokensFromEnv } from './plugins/auth';

// The edge of every service, through a server on a real port: media types, what the
// framework and Node's parser refuse, rate limits and security headers.

const SERVICE = 'edge-spec';
const RATE_LIMIT = { max: 5, windowMs: 60_000 };

const serve = async () => {
  const app: HttpServer = await createHttpServer({
    service: SERVICE,
    api: { title: 'edge spec', version: '1.0.0' },
    logger: createLogger({ service: SERVICE, destination: { write: () => undefined } }),
    metrics: createMetrics(SERVICE, { processMetrics: false }),
    tracer: startTracing(SERVICE).tracer,
    authTokens: authTokensFromEnv().parse('a:token-a:customer,b:token-b:customer,service:token-svc:viewer'),
    rateLimit: RATE_LIMIT,
  });
  const open = { access: 'public' } as const;
  const Thing = z.strictObject({ name: z.string(), tags: z.array(z.string()).default([]) });
  app.post('/v1/things', { config: open, schema: { body: Thing } }, async (request) => request.body);
  app.get('/v1/things/:id', { config: open }, async () => ({}));
  app.delete('/v1/things/:id', { config: open }, async () => ({}));
  app.get('/v1/limited', { config: open }, async () => ({ ok: true }));
  return { app, url: await app.listen({ port: 0, host: '127.0.0.1' }) };
};

/** A request from a chosen loopback address, so each case is its own client for the rate limit. */
const request = (
  url: string,
  from: string,
  { method = 'GET', path = '/', headers = {}, body }: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const target = new URL(path, url);
    const outgoing = http.request(target, { method, headers, localAddress: from }, (response) => {
      let text = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });

const raw = (url: string, bytes: string) =>
  new Promise<string>((resolve) => {
    const { hostname, port } = new URL(url);
    const received: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
  });

const problemOf = (answer: { headers: http.IncomingHttpHeaders; text: string }) => {
  expect(answer.headers['content-type']?.split(';')[0]).toBe(PROBLEM_CONTENT_TYPE);
  return JSON.parse(answer.text) as Problem;
};

describe('the edge of createHttpServer', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let clients = 10;
  /** A loopback address no other case has used: a fresh client for the rate limit. */
  const newClient = () => `127.0.0.${++clients}`;
  const post = (body: string, contentType: string, from = newClient()) =>
    request(server.url, from, { method: 'POST', path: '/v1/things', headers: { 'content-type': contentType }, body });

  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server?.app.close();
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form post', 'application/x-www-form-urlencoded'],
    ['JSON in UTF-16', 'application/json; charset=utf-16'],
    ['JSON in Latin-1', 'application/json; charset=latin1'],
    ['problem+json', 'application/problem+json'],
  ])('refuses %s with 415 before the handler', async (_what, contentType) => {
    const answer = await post('{"name":"x"}', contentType);
    expect(answer.status).toBe(415);
    expect(problemOf(answer)).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
  });

  it('reads JSON declared as UTF-8 in any spelling', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'Application/JSON']) {
      expect((await post('{"name":"x"}', contentType)).status).toBe(200);
    }
  });

  it.each([
    ['a NUL in a value', '{"name":"a\\u0000b"}', '/name', /NUL/],
    ['a lone high surrogate', '{"name":"x","tags":["ok","\\ud800"]}', '/tags/1', /lone UTF-16 surrogate/],
    ['a lone low surrogate', '{"name":"\\udc00"}', '/name', /lone UTF-16 surrogate/],
    ['a NUL in a key', '{"name":"x","a\\u0000":1}', '/a\u0000', /its name contains a NUL/],
  ])('refuses %s with a 400 naming the field', async (_what, body, path, message) => {
    const answer = await post(body, 'application/json');
    expect(answer.status).toBe(400);
    expect(problemOf(answer).errors).toEqual([{ in: 'body', path, message: expect.stringMatching(message) }]);
  });

  it('keeps a well-formed surrogate pair', async () => {
    const answer = await post('{"name":"\\ud83d\\ude00"}', 'application/json');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ name: '😀', tags: [] });
  });

  it.each([
    ['__proto__', '{"name":"x","__proto__":{"admin":true}}'],
    ['constructor.prototype', '{"name":"x","constructor":{"prototype":{"admin":true}}}'],
  ])('refuses a %s key saying why, not as invalid JSON', async (_what, body) => {
    const answer = await post(body, 'application/json');
    expect(answer.status).toBe(400);
    expect(problemOf(answer).detail).toMatch(/could alter object prototypes/);
  });

  it('answers a wrong method on an existing path with 405 and Allow', async () => {
    const answer = await request(server.url, newClient(), { method: 'PUT', path: '/v1/things/7' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    expect(problemOf(answer)).toMatchObject({ status: 405, title: 'Method Not Allowed' });
    expect((await request(server.url, newClient(), { method: 'PUT', path: '/v1/nothing' })).status).toBe(404);
  });

  it('answers a 10,000-character path parameter with 414 as problem+json', async () => {
    const answer = await request(server.url, newClient(), { path: `/v1/things/${'a'.repeat(10_000)}` });
    expect(answer.status).toBe(414);
    expect(problemOf(answer)).toMatchObject({ status: 414, title: 'URI Too Long' });
  });

  it("answers what Node's parser refuses (a control character in a header) as problem+json", async () => {
    const answer = await raw(server.url, 'GET /v1/things/1 HTTP/1.1\r\nHost: edge\r\nX-A: a\u0001b\r\n\r\n');
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain(`content-type: ${PROBLEM_CONTENT_TYPE}`);
    expect(JSON.parse(body)).toMatchObject({ status: 400, title: 'Bad Request' });
  });

  it.each([
    ['no Host header', 'GET /v1/limited HTTP/1.1\r\n\r\n', 400],
    ['an Expect it cannot meet', 'GET /v1/limited HTTP/1.1\r\nHost: edge\r\nExpect: 200-ok\r\n\r\n', 417],
  ])('answers a request with %s as problem+json', async (_what, bytes, status) => {
    const [head = '', body = ''] = (await raw(server.url, bytes)).split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head.toLowerCase()).toContain(`content-type: ${PROBLEM_CONTENT_TYPE}`);
    expect(JSON.parse(body)).toMatchObject({ status });
  });

  it('puts nosniff, no-store and a Content-Security-Policy on answers, errors included', async () => {
    for (const path of ['/v1/limited', '/v1/nothing']) {
      const answer = await request(server.url, newClient(), { path });
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
  });

  it('limits each client to its share per window with 429 and Retry-After, other clients unaffected', async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT.max; i++) statuses.push((await request(server.url, client, { path: '/v1/limited' })).status);
    expect(statuses).toEqual(Array.from({ length: RATE_LIMIT.max }, () => 200));
    const refused = await request(server.url, client, { path: '/v1/limited' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(problemOf(refused)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await request(server.url, newClient(), { path: '/v1/limited' })).status).toBe(200);
    expect((await request(server.url, client, { path: '/health/live' })).status).toBe(200);
  });

  it('keys the limit by token subject, not address, for an authenticated caller', async () => {
    const client = newClient();
    for (let i = 0; i < RATE_LIMIT.max; i++) await request(server.url, client, { path: '/v1/limited', headers: { authorization: 'Bearer token-a' } });
    expect((await request(server.url, client, { path: '/v1/limited', headers: { authorization: 'Bearer token-a' } })).status).toBe(429);
    expect((await request(server.url, client, { path: '/v1/limited', headers: { authorization: 'Bearer token-b' } })).status).toBe(200);
    expect((await request(server.url, client, { path: '/v1/limited' })).status).toBe(200);
    expect((await request(server.url, newClient(), { path: '/v1/limited', headers: { authorization: 'Bearer token-a' } })).status).toBe(429);
  });

  it("never limits another service of the shop (subject 'service'): it calls for clients the first service limited", async () => {
    const client = newClient();
    const statuses = new Set<number>();
    for (let i = 0; i < RATE_LIMIT.max * 2; i++)
      statuses.add((await request(server.url, client, { path: '/v1/limited', headers: { authorization: 'Bearer token-svc' } })).status);
    expect([...statuses]).toEqual([200]);
  });
});
