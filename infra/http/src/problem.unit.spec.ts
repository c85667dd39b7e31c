import type { FastifyRequest } from 'fastify';
import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { z } from 'zod';
import {
  BadRequest,
  Conflict,
  Forbidden,
  HttpProblem,
  NotFound,
  PreconditionFailed,
  PROBLEM_CONTENT_TYPE,
  ServiceUnavailable,
  toProblem,
  Unauthorized,
  UnprocessableContent,
  type ErrorMapping,
  type Problem,
} from './problem';
import { createHttpServer, type HttpServer } from './server';

class RevisionConflict extends Error {}
class OrderRuleBroken extends Error {}
class OrderAlreadyShipped extends OrderRuleBroken {}
class TooManyOrders extends Error {}

const mappings: ErrorMapping[] = [
  { error: RevisionConflict, status: 'concurrency' },
  { error: OrderRuleBroken, status: 409, title: 'Order Rule Broken' },
  { error: TooManyOrders, status: 429 },
];

const requestWith = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;

describe('toProblem', () => {
  it.each([
    [new Unauthorized(), 401, 'Unauthorized', 'a valid bearer token is required'],
    [new Forbidden(), 403, 'Forbidden', 'this token may not do that'],
    [new NotFound('no order 42'), 404, 'Not Found', 'no order 42'],
    [new PreconditionFailed('stale'), 412, 'Precondition Failed', 'stale'],
    [new UnprocessableContent('key reused'), 422, 'Unprocessable Content', 'key reused'],
    [new ServiceUnavailable(), 503, 'Service Unavailable', 'a dependency is down'],
  ])('keeps the status, title and detail of %p', (error, status, title, detail) => {
    expect(toProblem(error, requestWith())).toEqual({ type: 'about:blank', status, title, detail });
  });

  it('keeps the extensions of an HttpProblem, and its own title', () => {
    expect(toProblem(new HttpProblem(418, "I'm a Teapot", 'short and stout', { spout: 'left' }), requestWith())).toEqual({
      type: 'about:blank',
      status: 418,
      title: "I'm a Teapot",
      detail: 'short and stout',
      spout: 'left',
    });
    expect(toProblem(new Conflict('order 42 moved on', { currentRevision: '7' }), requestWith())).toMatchObject({ status: 409, currentRevision: '7' });
  });

  it('lists the failing fields of a BadRequest, and has no errors member without them', () => {
    const field = { in: 'headers', path: '/idempotency-key', message: 'too long' } as const;
    expect(toProblem(new BadRequest('bad key', [field]), requestWith())).toEqual({
      type: 'about:blank',
      status: 400,
      title: 'Bad Request',
      detail: 'bad key',
      errors: [field],
    });
    expect(toProblem(new BadRequest('bad key'), requestWith())).not.toHaveProperty('errors');
  });

  it('never lets an extension replace a member of the problem', () => {
    const problem = toProblem(new Conflict('order 42 is shipped', { status: 'shipped', title: 'x', detail: 'y', orderId: '42' }), requestWith());
    expect(problem).toEqual({ type: 'about:blank', status: 409, title: 'Conflict', detail: 'order 42 is shipped', orderId: '42' });
  });

  it('maps a concurrency conflict to 409, or 412 when the client sent If-Match', () => {
    const error = new RevisionConflict('order-42 is at revision 7, not 6');
    expect(toProblem(error, requestWith(), mappings)).toEqual({
      type: 'about:blank',
      status: 409,
      title: 'Conflict',
      detail: 'order-42 is at revision 7, not 6',
    });
    expect(toProblem(error, requestWith({ 'if-match': '"order-42:6"' }), mappings)).toEqual({
      type: 'about:blank',
      status: 412,
      title: 'Precondition Failed',
      detail: 'order-42 is at revision 7, not 6',
    });
  });

  it('maps an error to its numeric status whatever If-Match says, with the mapping title or the standard one', () => {
    const ifMatch = requestWith({ 'if-match': '"order-42:6"' });
    expect(toProblem(new OrderRuleBroken('order 42 is not pending'), ifMatch, mappings)).toEqual({
      type: 'about:blank',
      status: 409,
      title: 'Order Rule Broken',
      detail: 'order 42 is not pending',
    });
    expect(toProblem(new TooManyOrders('slow down'), requestWith(), mappings)).toMatchObject({ status: 429, title: 'Too Many Requests', detail: 'slow down' });
  });

  it('maps a subclass through the mapping of its parent', () => {
    expect(toProblem(new OrderAlreadyShipped('order 42 is shipped'), requestWith(), mappings)).toMatchObject({ status: 409, title: 'Order Rule Broken' });
  });

  it.each([
    ['an error nobody mapped', new Error('password=hunter2 at db.internal')],
    ['a mapped class without its mapping', new RevisionConflict('hunter2')],
    ['an error carrying a server status', Object.assign(new Error('hunter2'), { statusCode: 503 })],
    ['a thrown string', 'hunter2'],
    ['undefined', undefined],
  ])('answers %s with a 500 that tells nothing of it', (_what, error) => {
    const problem = toProblem(error, requestWith());
    expect(problem).toEqual({
      type: 'about:blank',
      status: 500,
      title: 'Internal Server Error',
      detail: 'the request could not be completed; the error was logged',
    });
  });
});

// ---- Through the server: its error handler sends what toProblem built ----

const SERVICE = 'problem-spec';
const Thing = z.strictObject({ name: z.string().min(1), count: z.number().int() });

const serve = async () => {
  const lines: string[] = [];
  const app: HttpServer = await createHttpServer({
    service: SERVICE,
    api: { title: 'problem spec', version: '1.0.0' },
    logger: createLogger({ service: SERVICE, destination: { write: (line: string) => void lines.push(line) } }),
    metrics: createMetrics(SERVICE, { processMetrics: false }),
    tracer: startTracing(SERVICE).tracer,
    authTokens: new Map(),
    errorMappings: mappings,
    bodyLimit: 1024,
  });
  const open = { access: 'public' } as const;
  app.post('/v1/things', { config: open, schema: { body: Thing } }, async (request) => request.body);
  app.get('/v1/things', { config: open, schema: { querystring: z.strictObject({ limit: z.coerce.number().int().min(1) }) } }, async () => []);
  app.get('/v1/things/:id', { config: open, schema: { params: z.strictObject({ id: z.uuid() }) } }, async () => ({}));
  app.get('/v1/tenant', { config: open, schema: { headers: z.object({ 'x-tenant': z.string().regex(/^[a-z]+$/) }) } }, async () => ({}));
  app.put('/v1/things/:id', { config: open }, async () => {
    throw new RevisionConflict('thing is at revision 7');
  });
  app.get('/v1/conflict', { config: open }, async () => {
    throw new Conflict('thing 1 moved on', { currentRevision: '7' });
  });
  app.get('/v1/boom', { config: open }, async () => {
    throw new Error('connect to postgres://app:hunter2@db.internal failed');
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const logged = () => lines.map((line): Record<string, unknown> => JSON.parse(line));
  return { app, url, logged };
};

describe('error answers of createHttpServer', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server?.app.close();
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, problem: JSON.parse(text) as Problem };
  };
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it.each([
    ['an invalid body', () => postJson('/v1/things', '{"name":""}'), 400, '/v1/things'],
    ['an invalid query', () => call('/v1/things?limit=0'), 400, '/v1/things?limit=0'],
    ['a mapped error', () => call('/v1/things/1', { method: 'PUT' }), 409, '/v1/things/1'],
    ['an HttpProblem', () => call('/v1/conflict'), 409, '/v1/conflict'],
    ['a body over the limit', () => postJson('/v1/things', JSON.stringify({ name: 'x'.repeat(2048), count: 1 })), 413, '/v1/things'],
    ['a media type it does not read', () => call('/v1/things', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' }), 415, '/v1/things'],
    ['malformed JSON', () => postJson('/v1/things', '{"name":'), 400, '/v1/things'],
    ['an unknown route', () => call('/v2/nothing?x=1'), 404, '/v2/nothing?x=1'],
    ['an unexpected error', () => call('/v1/boom'), 500, '/v1/boom'],
  ])('answers %s as problem+json naming the request as its instance', async (_what, send, status, instance) => {
    const { status: actual, headers, problem } = await send();
    expect(actual).toBe(status);
    expect(headers.get('content-type')?.split(';')[0]).toBe(PROBLEM_CONTENT_TYPE);
    expect(problem).toMatchObject({ type: 'about:blank', status, title: expect.any(String), instance });
  });

  it('lists every failing body field with where it was, its path and why', async () => {
    const { problem } = await postJson('/v1/things', JSON.stringify({ name: '', count: 1.5, extra: true }));
    expect(problem.detail).toBe("the request's body is not valid");
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { in: 'body', path: '/name', message: expect.stringMatching(/>=1 characters/) },
        { in: 'body', path: '/count', message: expect.stringMatching(/int/i) },
        { in: 'body', path: '/', message: expect.stringMatching(/Unrecognized key: "extra"/) },
      ]),
    );
    expect(problem.errors).toHaveLength(3);
  });

  it('names the query, path parameters and headers as where a field failed', async () => {
    expect((await call('/v1/things?limit=0')).problem.errors).toEqual([{ in: 'querystring', path: '/limit', message: expect.any(String) }]);
    expect((await call('/v1/things/not-a-uuid')).problem.errors).toEqual([{ in: 'params', path: '/id', message: expect.any(String) }]);
    expect((await call('/v1/tenant', { headers: { 'x-tenant': 'NOT OK' } })).problem.errors).toEqual([
      { in: 'headers', path: '/x-tenant', message: expect.any(String) },
    ]);
  });

  it('answers a concurrency conflict with 409, and with 412 when the client sent If-Match', async () => {
    const plain = await call('/v1/things/1', { method: 'PUT' });
    expect(plain.problem).toMatchObject({ status: 409, title: 'Conflict', detail: 'thing is at revision 7' });
    const conditional = await call('/v1/things/1', { method: 'PUT', headers: { 'if-match': '"thing-1:6"' } });
    expect(conditional.status).toBe(412);
    expect(conditional.problem).toMatchObject({ status: 412, title: 'Precondition Failed', detail: 'thing is at revision 7' });
  });

  it('keeps the extensions of an HttpProblem in the answer', async () => {
    expect((await call('/v1/conflict')).problem).toEqual({
      type: 'about:blank',
      status: 409,
      title: 'Conflict',
      detail: 'thing 1 moved on',
      currentRevision: '7',
      instance: '/v1/conflict',
    });
  });

  it("keeps the status of fastify's own client errors, without field errors", async () => {
    const tooLarge = await postJson('/v1/things', JSON.stringify({ name: 'x'.repeat(2048), count: 1 }));
    expect(tooLarge.problem).toMatchObject({ status: 413, title: 'Content Too Large' });
    const csv = await call('/v1/things', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect(csv.problem).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
    const malformed = await postJson('/v1/things', '{"name":');
    expect(malformed.problem).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringMatching(/JSON/) });
    expect(malformed.problem).not.toHaveProperty('errors');
  });

  it('answers an unexpected error with nothing of it, and logs it with the correlation id', async () => {
    const { text, problem, headers } = await call('/v1/boom');
    expect(problem).toEqual({
      type: 'about:blank',
      status: 500,
      title: 'Internal Server Error',
      detail: 'the request could not be completed; the error was logged',
      instance: '/v1/boom',
    });
    expect(text).not.toMatch(/hunter2|postgres|stack|message/);
    const failure = server.logged().find((line) => line.msg === 'request failed' && line.correlationId === headers.get('x-correlation-id'));
    expect(JSON.stringify(failure)).toMatch(/hunter2/);
  });
});
