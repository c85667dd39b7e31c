import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testScope } from '@ordo/testing';
import { validateOpenApi } from './openapi';
import { exampleEnv, startExample, type ExampleProcess } from './process';

const scope = testScope();
const WRITER = { authorization: 'Bearer writer-token' };
const JSON_BODY = { 'content-type': 'application/json' };
const note = { title: 'groceries', body: 'milk, eggs' };

/** A downstream the example calls; it records the headers each call carried. */
const startDownstream = async () => {
  const calls: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    calls.push(request.headers);
    request.resume().on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/publish`, calls, close: () => new Promise((resolve) => server.close(resolve)) };
};

const problemOf = async (response: Response) => {
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { status: number; title: string; detail?: string; errors?: { in: string; path: string; message: string }[] };
};

describe('the HTTP chassis, through the example service on a real port', () => {
  let service: ExampleProcess;
  let downstream: Awaited<ReturnType<typeof startDownstream>>;
  const url = (path: string) => `${service.url}${path}`;
  const createNote = async (body = note, headers: Record<string, string> = {}) =>
    fetch(url('/v1/notes'), { method: 'POST', headers: { ...WRITER, ...JSON_BODY, ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    await scope.db(); // creates the schema, which the scope drops afterwards
    downstream = await startDownstream();
    service = await startExample(exampleEnv(scope.env.databaseUrl, scope.schema, { PUBLISH_URL: downstream.url }));
  });

  afterAll(async () => {
    await service?.stop();
    await downstream?.close();
  });

  describe('every error is problem+json', () => {
    it('400 lists each failing field with its path and why', async () => {
      const response = await createNote({ title: '', body: 7, extra: true } as never);
      expect(response.status).toBe(400);
      const problem = await problemOf(response);
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ in: 'body', path: '/title', message: expect.stringMatching(/>=1 characters/) }),
          expect.objectContaining({ in: 'body', path: '/body', message: expect.stringMatching(/expected string/) }),
          expect.objectContaining({ in: 'body', path: '/', message: expect.stringMatching(/Unrecognized key: "extra"/) }),
        ]),
      );
    });

    it('400 names query and path parameters too', async () => {
      const query = await problemOf(await fetch(url('/v1/notes?limit=0')));
      expect(query.errors).toEqual([expect.objectContaining({ in: 'querystring', path: '/limit' })]);
      const params = await problemOf(await fetch(url('/v1/notes/not-a-uuid')));
      expect(params.errors).toEqual([expect.objectContaining({ in: 'params', path: '/id' })]);
    });

    it('401 to an anonymous caller on every route that is not public, 403 to too low a role, 401 to a garbage token', async () => {
      const { id } = (await (await createNote()).json()) as { id: string };
      const guarded: [string, string, string][] = [
        ['POST', '/v1/notes', 'customer'],
        ['PUT', `/v1/notes/${id}`, 'customer'],
        ['GET', '/v1/reports/notes', 'viewer'],
        ['POST', `/v1/notes/${id}/publish`, 'operator'],
        ['GET', '/v1/admin/stats', 'admin'],
        ['GET', '/metrics', 'viewer'],
      ];
      const tokenBelow: Record<string, string | undefined> = { customer: undefined, viewer: 'writer-token', operator: 'viewer-token', admin: 'operator-token' };
      for (const [method, path, level] of guarded) {
        const send = (authorization?: string) =>
          fetch(url(path), {
            method,
            headers: { ...JSON_BODY, ...(authorization && { authorization }) },
            ...(method === 'GET' ? {} : { body: JSON.stringify(note) }),
          });
        const anonymous = await send();
        expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
        expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
        expect((await problemOf(anonymous)).title).toBe('Unauthorized');
        const garbage = await send('Bearer not-a-token');
        expect({ path, status: garbage.status }).toEqual({ path, status: 401 });
        await problemOf(garbage);
        const below = tokenBelow[level];
        if (below) {
          const forbidden = await send(`Bearer ${below}`);
          expect({ path, status: forbidden.status }).toEqual({ path, status: 403 });
          expect((await problemOf(forbidden)).detail).toMatch(new RegExp(`needs the role ${level}`));
        }
      }
      expect((await fetch(url('/v1/admin/stats'), { headers: { authorization: 'Bearer admin-token' } })).status).toBe(200);
      expect((await fetch(url('/v1/reports/notes'), { headers: { authorization: 'Bearer admin-token' } })).status).toBe(200);
      expect((await fetch(url('/v1/notes'), { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    });

    it('404 for an unknown route and for an unknown note', async () => {
      expect((await problemOf(await fetch(url('/v2/nothing')))).status).toBe(404);
      expect((await problemOf(await fetch(url('/v1/notes/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10')))).status).toBe(404);
    });

    it('413 for a body over the limit, 415 for a type it does not read', async () => {
      const huge = await createNote({ title: 'big', body: 'x'.repeat(70 * 1024) });
      expect((await problemOf(huge)).status).toBe(413);
      const form = await fetch(url('/v1/notes'), { method: 'POST', headers: { ...WRITER, 'content-type': 'text/csv' }, body: 'a,b' });
      expect((await problemOf(form)).status).toBe(415);
    });

    it('422 for an Idempotency-Key reused with another body', async () => {
      const key = { 'idempotency-key': `reuse-${scope.id}` };
      expect((await createNote(note, key)).status).toBe(201);
      const reused = await createNote({ ...note, title: 'something else' }, key);
      expect((await problemOf(reused)).status).toBe(422);
    });

    it('500 says nothing of the error, which is logged instead', async () => {
      const response = await fetch(url('/v1/boom'));
      const text = await response.clone().text();
      expect((await problemOf(response)).status).toBe(500);
      expect(text).not.toMatch(/hunter2|notes_internal|stack|at /);
      const correlationId = response.headers.get('x-correlation-id');
      const logged = await service.waitForLog((line) => line.correlationId === correlationId && line.msg === 'request failed');
      expect(JSON.stringify(logged)).toMatch(/hunter2/);
    });
  });

  it('replays the first answer of a POST for the same Idempotency-Key, creating one note', async () => {
    const key = { 'idempotency-key': `once-${scope.id}` };
    const body = { title: `once ${scope.id}`, body: 'only one' };
    const first = await createNote(body, key);
    const second = await createNote(body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await second.json()).toEqual(await first.json());
    const list = (await (await fetch(url('/v1/notes?limit=100'))).json()) as { title: string }[];
    expect(list.filter((item) => item.title === body.title)).toHaveLength(1);
  });

  it('answers If-Match with 412 on a stale revision and If-None-Match with 304', async () => {
    const created = await createNote();
    const { id } = (await created.json()) as { id: string };
    const etag = created.headers.get('etag') ?? '';
    const update = (ifMatch: string) =>
      fetch(url(`/v1/notes/${id}`), {
        method: 'PUT',
        headers: { ...WRITER, ...JSON_BODY, 'if-match': ifMatch },
        body: JSON.stringify({ ...note, title: 'changed' }),
      });
    const updated = await update(etag);
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe(`"note-${id}:1"`);
    expect((await problemOf(await update(etag))).status).toBe(412);
    // Strong comparison: a weak tag of the current revision does not match; a malformed one is never ignored.
    expect((await problemOf(await update(`W/"note-${id}:1"`))).status).toBe(412);
    expect((await problemOf(await update(`"note-${id}:1`))).status).toBe(400);
    expect((await update(`"other:9", "note-${id}:1"`)).status).toBe(200);
    expect((await fetch(url(`/v1/notes/${id}`), { headers: { 'if-none-match': `"note-${id}:2"` } })).status).toBe(304);
  });

  it('serves a valid OpenAPI document generated from the routes, and its UI at /docs', async () => {
    const document = (await (await fetch(url('/docs/json'))).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(await validateOpenApi(document)).toEqual({ valid: true });
    expect(await validateOpenApi({ ...document, info: undefined })).toMatchObject({ valid: false });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/notes', '/v1/notes/{id}']));
    expect(Object.keys(document.paths)).not.toContain('/metrics');
    const ui = await fetch(url('/docs'), { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });

  it('counts the requests it served in /metrics, per route and status', async () => {
    const count = async () => {
      const text = await (await fetch(url('/metrics'), { headers: { authorization: 'Bearer viewer-token' } })).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/v1/notes/:id"') && l.includes('status_code="404"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await count();
    for (let i = 0; i < 5; i++) await fetch(url('/v1/notes/6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10'));
    expect(await count()).toBe(before + 5);
  });

  it('continues an incoming traceparent in its logs and in the call it makes downstream', async () => {
    const { id } = (await (await createNote()).json()) as { id: string };
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const incoming = `00-${traceId}-00f067aa0ba902b7-01`;
    const response = await fetch(url(`/v1/notes/${id}/publish`), {
      method: 'POST',
      headers: { authorization: 'Bearer operator-token', traceparent: incoming },
    });
    expect(response.status).toBe(200);

    const outgoing = String(downstream.calls.at(-1)?.traceparent);
    expect(outgoing).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(outgoing).not.toBe(incoming); // a child span of the request's span, not a copy
    const correlationId = response.headers.get('x-correlation-id');
    await service.waitForLog((line) => line.correlationId === correlationId && line.msg === 'request completed');
    const lines = service.logs.filter((line) => line.correlationId === correlationId);
    expect(lines.map((line) => line.traceId)).toEqual(lines.map(() => traceId));
  });
});
