import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { awaitReadAfter } from './read-after';
import { createHttpServer } from './server';

// Read-After through a server: a view whose applied revisions a spec moves by hand.

const SERVICE = 'read-after-spec';

const serve = async (applied: Map<string, bigint>, timeoutMs: number) => {
  const app = await createHttpServer({
    service: SERVICE,
    api: { title: 'read-after spec', version: '1.0.0' },
    logger: createLogger({ service: SERVICE, destination: { write: () => undefined } }),
    metrics: createMetrics(SERVICE, { processMetrics: false }),
    tracer: startTracing(SERVICE).tracer,
    authTokens: new Map(),
  });
  app.get('/v1/things/:id', { config: { access: 'public' } }, async (request) => {
    await awaitReadAfter(request, {
      timeoutMs,
      appliedOf: (stream) => (stream.startsWith('thing-') ? async () => applied.get(stream) ?? -1n : undefined),
    });
    return { revision: String(applied.get('thing-1') ?? -1n) };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
};

const get = async (app: { url: string }, headers: Record<string, string> = {}) => {
  const response = await fetch(`${app.url}/v1/things/1`, { headers });
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: (await response.json()) as unknown };
};

describe('Read-After', () => {
  it('answers at once without the header, and at once when the view has the revision already', async () => {
    const app = await serve(new Map([['thing-1', 3n]]), 0);
    expect((await get(app)).statusCode).toBe(200);
    expect((await get(app, { 'read-after': '"thing-1:3"' })).body).toEqual({ revision: '3' });
    expect((await get(app, { 'read-after': 'W/"thing-1:2"' })).statusCode).toBe(200);
    await app.close();
  });

  it('waits until the view applies the revision asked for', async () => {
    const applied = new Map([['thing-1', 0n]]);
    const app = await serve(applied, 60_000);
    const answer = get(app, { 'read-after': '"thing-1:2"' });
    setTimeout(() => applied.set('thing-1', 1n), 20);
    setTimeout(() => applied.set('thing-1', 2n), 60);
    expect((await answer).body).toEqual({ revision: '2' });
    await app.close();
  });

  it('answers 503 with Retry-After and how far behind the view is once the bound passes', async () => {
    const app = await serve(new Map([['thing-1', 1n]]), 30);
    const answer = await get(app, { 'read-after': '"thing-1:4"' });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body).toMatchObject({ status: 503, stream: 'thing-1', wanted: 4, applied: 1, behind: 3 });
    await app.close();
  });

  it('counts a stream the view has no row of yet as applied up to -1', async () => {
    const app = await serve(new Map(), 0);
    expect((await get(app, { 'read-after': '"thing-9:0"' })).body).toMatchObject({ stream: 'thing-9', applied: -1, behind: 1 });
    await app.close();
  });

  it.each([
    ['a value that is no position', 'order 42', 'expected the ETag a command answered with, such as "order-42:3"'],
    ['a stream the view does not hold', '"order-42:3"', 'order-42 is not a stream this view reads'],
  ])('answers 400 naming the header for %s', async (_case, header, message) => {
    const app = await serve(new Map(), 0);
    const answer = await get(app, { 'read-after': header });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toMatchObject({ errors: [{ in: 'headers', path: '/read-after', message }] });
    await app.close();
  });
});
