import http from 'node:http';
import { testScope } from '@ordo/testing';
import { exampleEnv, startExample, type ExampleProcess } from './process';

// The hardened edge, through the example service as a process: stored answers and
// derived ids per caller, every error answer documented, and /docs under its CSP.

const scope = testScope();
const JSON_BODY = { 'content-type': 'application/json' };

/** A request from a chosen loopback address: each address is another anonymous client. */
const requestFrom = (
  from: string,
  target: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
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

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

describe('the hardened edge of the example service', () => {
  let service: ExampleProcess;
  const url = (path: string) => `${service.url}${path}`;

  beforeAll(async () => {
    await scope.db();
    service = await startExample(exampleEnv(scope.env.databaseUrl, scope.schema));
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('keeps the stored answers and derived ids of two anonymous clients that pick the same key apart', async () => {
    const key = `shared-${scope.id}`;
    const draft = (from: string) =>
      requestFrom(from, url('/v1/drafts'), { method: 'POST', headers: { ...JSON_BODY, 'idempotency-key': key }, body: JSON.stringify({ title: 'same' }) });
    const first = await draft('127.0.0.2');
    const other = await draft('127.0.0.3');
    const again = await draft('127.0.0.2');
    expect([first.status, other.status, again.status]).toEqual([201, 201, 201]);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    const idOf = (answer: { text: string }) => (JSON.parse(answer.text) as { id: string }).id;
    expect(idOf(other)).not.toBe(idOf(first));
    expect(idOf(again)).toBe(idOf(first));
  });

  it('documents, as problem+json, every error status each route answers', async () => {
    const document = (await (await fetch(url('/docs/json'))).json()) as OpenApi;
    const created = await fetch(url('/v1/notes'), {
      method: 'POST',
      headers: { ...JSON_BODY, authorization: 'Bearer writer-token' },
      body: JSON.stringify({ title: 't', body: 'b' }),
    });
    const { id } = (await created.json()) as { id: string };
    const missing = '6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10';
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { ...JSON_BODY, ...headers }, body: JSON.stringify(body) });
    const reuse = { 'idempotency-key': `docs-${scope.id}` };
    await fetch(url('/v1/notes'), { method: 'POST', ...json({ title: 'a', body: '' }, { ...as('writer-token'), ...reuse }) });
    // [method, route as OpenAPI writes it, path, request]
    const cases: [string, string, string, RequestInit][] = [
      ['post', '/v1/notes', '/v1/notes', json({ title: '' }, as('writer-token'))],
      ['post', '/v1/notes', '/v1/notes', json({ title: 'a', body: '' })],
      ['post', '/v1/notes', '/v1/notes', { headers: { ...as('writer-token'), 'content-type': 'text/plain' }, body: 'x' }],
      ['post', '/v1/notes', '/v1/notes', json({ title: 'a', body: 'x'.repeat(70 * 1024) }, as('writer-token'))],
      ['post', '/v1/notes', '/v1/notes', json({ title: 'b', body: '' }, { ...as('writer-token'), ...reuse })],
      ['get', '/v1/notes', '/v1/notes?limit=0', {}],
      ['get', '/v1/notes', '/v1/notes', { headers: as('garbage') }],
      ['get', '/v1/notes/{id}', '/v1/notes/nope', {}],
      ['get', '/v1/notes/{id}', `/v1/notes/${missing}`, {}],
      ['get', '/v1/notes/{id}', `/v1/notes/${'a'.repeat(10_000)}`, {}],
      ['put', '/v1/notes/{id}', `/v1/notes/${id}`, json({ title: 'x', body: '' }, { ...as('writer-token'), 'if-match': `W/"note-${id}:0"` })],
      ['put', '/v1/notes/{id}', `/v1/notes/${id}`, json({ title: 'x', body: '' }, { ...as('writer-token'), 'if-match': 'nonsense' })],
      ['put', '/v1/notes/{id}', `/v1/notes/${missing}`, json({ title: 'x', body: '' }, as('writer-token'))],
      ['post', '/v1/notes/{id}/publish', `/v1/notes/${id}/publish`, { headers: as('writer-token') }],
      ['post', '/v1/notes/{id}/publish', `/v1/notes/${id}/publish`, { headers: as('operator-token') }],
      ['post', '/v1/notes/{id}/publish', `/v1/notes/${missing}/publish`, { headers: as('operator-token') }],
      ['get', '/v1/reports/notes', '/v1/reports/notes', { headers: as('writer-token') }],
      ['get', '/v1/admin/stats', '/v1/admin/stats', {}],
      ['get', '/v1/admin/stats', '/v1/admin/stats', { headers: as('viewer-token') }],
      ['post', '/v1/drafts', '/v1/drafts', json({ title: 7 })],
      ['post', '/v1/drafts', '/v1/drafts', { headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' }],
      ['get', '/v1/boom', '/v1/boom', {}],
    ];
    const seen = new Set<number>();
    for (const [method, route, path, init] of cases) {
      const response = await fetch(url(path), { method: method.toUpperCase(), ...init });
      await response.arrayBuffer();
      seen.add(response.status);
      const documented = document.paths[route]?.[method]?.responses ?? {};
      expect({ route, method, status: response.status, documented: Object.keys(documented).includes(String(response.status)) }).toEqual({
        route,
        method,
        status: response.status,
        documented: true,
      });
      expect(Object.keys(documented[String(response.status)]?.content ?? {})).toEqual(['application/problem+json']);
    }
    // The cases reached every kind of error they were written for.
    expect([...seen].sort()).toEqual([400, 401, 403, 404, 412, 413, 414, 415, 422, 500, 503].sort());
  });

  it('serves /docs under a CSP that lets swagger-ui load its scripts and styles', async () => {
    const page = await fetch(url('/docs/'), { redirect: 'follow' });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+\.(?:js|css))"/g)].map((match) => match[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const answer = await fetch(url(`/docs/${asset}`));
      expect({ asset, status: answer.status }).toEqual({ asset, status: 200 });
    }
    const api = await fetch(url('/v1/notes'));
    expect(api.headers.get('cache-control')).toBe('no-store');
  });
});
