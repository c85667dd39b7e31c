import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import { describeSaga, evolve, initialState, type SagaEvent, type StartedSaga } from '@ordo/saga';
import { eventually } from '@ordo/testing';
import { eventsOf, recordedInstances } from '../test/fixture-events';
import { PAGE_CSP } from './page';
import { INSTANCE_STATES, type InstanceState } from './queries';
import { sagaDashboardService } from './service';
import type { InstanceSummary } from './view';

// The dashboard's API as the host mounts it: a stand-in saga store holds every instance the
// engine recorded (order placement, version 3), the projection folds them, and every answer
// is checked against the engine's own fold of the same events. The saga service is not here:
// an action answers 503 (its actions on a real saga service: infra/cli/test).

const TOKENS = new Map([
  ['viewer-token', { subject: 'support', roles: ['viewer' as const] }],
  ['operator-token', { subject: 'ops', roles: ['operator' as const] }],
  ['customer-token', { subject: 'someone', roles: ['customer' as const] }],
]);
const fixtures = recordedInstances('v3');
const folded = fixtures.map(
  (fixture) => eventsOf(fixture).reduce((state, event) => evolve(state, { type: event.type, data: event.data } as SagaEvent), initialState()) as StartedSaga,
);

describe('the saga dashboard’s API', () => {
  let host: TestHost<'sagas'>;
  // The recorded instances run in 2030: moving the clock there and past makes the ones still waiting stuck.
  let clockOffsetMs = 0;
  const now = () => new Date(Date.now() + clockOffsetMs);
  const peers: Record<string, string> = { sagas: 'http://127.0.0.1:9' };

  beforeAll(async () => {
    host = await startTestHost({
      service: sagaDashboardService({ sagaService: 'sagas', deadLetterServices: ['saga-dashboard'], livePollMs: 100 }),
      standIns: ['sagas'],
      authTokens: TOKENS,
      clock: now,
      peers: { urls: peers },
    });
    peers['saga-dashboard'] = host.url;
    for (const fixture of fixtures)
      for (const event of eventsOf(fixture)) {
        const metadata = {
          correlationId: event.correlationId ?? '',
          causationId: `cause-${event.id}`,
          traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`,
          schemaVersion: 1,
        };
        await host.standIns.sagas.appendToStream(event.stream, [{ id: randomUUID(), type: event.type, data: event.data, metadata }], {
          expectedRevision: 'any',
        });
      }
    // Every event folded: the counts are the engine's (or this times out, and every test fails).
    const expected = JSON.stringify(Object.fromEntries(INSTANCE_STATES.map((state) => [state, expectedIn(state).length])));
    await eventually(async () => JSON.stringify((await get('/v1/saga-dashboard/counts')).body) === expected, 'every recorded event in the dashboard', {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
  });
  afterAll(async () => {
    await host?.close();
  });

  const call = async (
    path: string,
    {
      token = 'viewer-token',
      method = 'GET',
      body,
      headers = {},
    }: { token?: string | null; method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, cookies: response.headers.getSetCookie() };
  };
  const get = (path: string, token?: string | null) => call(path, { token });
  const listed = async (query: string) => ((await get(`/v1/saga-dashboard/instances?limit=100&${query}`)).body as { items: InstanceSummary[] }).items;
  const expectedIn = (state: InstanceState) =>
    folded
      .filter((state_) => describeSaga(state_, { now: now() }).status === state)
      .map((state_) => state_.sagaId)
      .sort();

  it('counts the instances in each state as the engine’s own fold does', async () => {
    const { body } = await get('/v1/saga-dashboard/counts');
    const expected = Object.fromEntries(INSTANCE_STATES.map((state) => [state, expectedIn(state).length]));
    expect(body).toEqual(expected);
    expect(expected.completed).toBeGreaterThan(0);
    expect(expected['rolled-back']).toBeGreaterThan(0);
  });

  it('filters by each state', async () => {
    for (const state of INSTANCE_STATES) {
      const items = await listed(`state=${state}`);
      expect({ state, ids: items.map((item) => item.sagaId).sort() }).toEqual({ state, ids: expectedIn(state) });
      expect(items.every((item) => item.state === state)).toBe(true);
    }
  });

  it('shows instances waiting past their deadline as stuck once the clock is past it, and not as running', async () => {
    const waiting = folded.filter((state) => state.status === 'running' || state.status === 'compensating');
    clockOffsetMs = Date.parse('2031-01-01T00:00:00Z') - Date.now();
    try {
      expect((await listed('state=stuck')).map((item) => item.sagaId).sort()).toEqual(waiting.map((state) => state.sagaId).sort());
      expect(await listed('state=running')).toEqual([]);
      expect(((await get('/v1/saga-dashboard/counts')).body as Record<string, number>).stuck).toBe(waiting.length);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('filters by saga, version, key prefix and time of the last change', async () => {
    expect((await listed('saga=orderPlacement&version=3')).length).toBe(fixtures.length);
    expect(await listed('saga=orderCancellation')).toEqual([]);
    expect(await listed('saga=orderPlacement&version=2')).toEqual([]);
    const one = folded[0] as StartedSaga;
    expect((await listed(`key=${one.key.slice(0, 13)}`)).map((item) => item.sagaId)).toEqual([one.sagaId]);
    expect(await listed('key=%25')).toEqual([]); // a LIKE wildcard is matched as typed
    const all = await listed('');
    const newest = all[0] as InstanceSummary;
    expect((await listed(`changedFrom=${encodeURIComponent(newest.updatedAt)}`)).map((item) => item.sagaId)).toContain(newest.sagaId);
    expect(await listed(`changedTo=${encodeURIComponent(new Date(Date.parse((all.at(-1) as InstanceSummary).updatedAt)).toISOString())}`)).toEqual([]);
  });

  it('pages by keyset, the last changed first, each instance once', async () => {
    const seen: InstanceSummary[] = [];
    let after: string | null = '';
    while (after !== null) {
      const { body } = await get(`/v1/saga-dashboard/instances?limit=4${after ? `&after=${after}` : ''}`);
      const page = body as { items: InstanceSummary[]; next: string | null };
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      after = page.next;
    }
    expect(seen.map((item) => item.sagaId).sort()).toEqual(folded.map((state) => state.sagaId).sort());
    const order = seen.map((item) => [item.updatedAt, item.sagaId].join(' '));
    expect(order).toEqual([...order].sort().reverse());
  });

  it('refuses a cursor it did not answer with, and a state it does not know, naming the field', async () => {
    const cursor = await get('/v1/saga-dashboard/instances?after=bm9wZQ');
    expect(cursor).toMatchObject({ status: 400, body: { errors: [{ path: '/after' }] } });
    const state = await get('/v1/saga-dashboard/instances?state=sleeping');
    expect(state.status).toBe(400);
    expect(JSON.stringify(state.body)).toMatch(/state/);
  });

  it('shows one instance as the engine describes it, and its history in pages with ids', async () => {
    const state = folded.find((each) => each.status === 'rolled-back') as StartedSaga;
    const { body } = await get(`/v1/saga-dashboard/instances/${state.sagaId}`);
    expect((body as { saga: unknown }).saga).toEqual(describeSaga(state, { now: now() }));
    expect((body as { summary: InstanceSummary }).summary).toMatchObject({ sagaId: state.sagaId, state: 'rolled-back', key: state.key });

    const fixture = fixtures.find((each) => each.instance === state.sagaId);
    const events = eventsOf(fixture as (typeof fixtures)[number]);
    const history: { revision: string; type: string; correlationId: string | null; traceId: string | null }[] = [];
    let after = '-1';
    for (;;) {
      const page = (await get(`/v1/saga-dashboard/instances/${state.sagaId}/history?limit=4&after=${after}`)).body as {
        items: typeof history;
        next: string | null;
      };
      history.push(...page.items);
      if (page.next === null) break;
      after = page.next;
    }
    expect(history.map((entry) => entry.type)).toEqual(events.map((event) => event.type));
    expect(history.map((entry) => entry.revision)).toEqual(events.map((_, index) => String(index)));
    expect(history.every((entry) => entry.correlationId === `correlation-${state.sagaId}` && entry.traceId === 'ab'.repeat(16))).toBe(true);
    expect((await get('/v1/saga-dashboard/instances/orderPlacement-nope')).status).toBe(404);
    expect((await get('/v1/saga-dashboard/instances/orderPlacement-nope/history')).status).toBe(404);
  });

  it('counts starts and endings per minute over the last hour', async () => {
    const { body } = await get('/v1/saga-dashboard/throughput');
    const minutes = (body as { minutes: { started: number; completed: number; rolledBack: number }[] }).minutes;
    expect(minutes.length).toBeGreaterThanOrEqual(60);
    const total = (field: 'started' | 'completed' | 'rolledBack') => minutes.reduce((sum, minute) => sum + minute[field], 0);
    expect(total('started')).toBe(fixtures.length);
    expect(total('completed')).toBe(folded.filter((state) => state.status === 'completed').length);
    expect(total('rolledBack')).toBe(folded.filter((state) => state.status === 'rolled-back').length);
  });

  it('guards every route: no token 401, a customer 403, a viewer acting 403', async () => {
    expect((await get('/v1/saga-dashboard/instances', null)).status).toBe(401);
    expect((await get('/v1/saga-dashboard/instances', 'customer-token')).status).toBe(403);
    const sagaId = (folded[0] as StartedSaga).sagaId;
    expect((await call(`/v1/saga-dashboard/instances/${sagaId}/retry`, { method: 'POST', body: { reason: 'try again' } })).status).toBe(403);
    expect((await get('/v1/saga-dashboard/dead-letters')).status).toBe(403);
  });

  it('refuses a cross-site POST from a logged-in browser, and takes the page’s own', async () => {
    const login = await call('/v1/saga-dashboard/session', { token: null, method: 'POST', body: { token: 'operator-token' } });
    expect(login.status).toBe(200);
    const cookie = login.cookies.map((line) => line.split(';')[0]).join('; ');
    const csrfToken = (login.body as { csrfToken: string }).csrfToken;
    const sagaId = (folded[0] as StartedSaga).sagaId;
    const action = (headers: Record<string, string>) =>
      call(`/v1/saga-dashboard/instances/${sagaId}/retry`, { token: null, method: 'POST', body: { reason: 'why not' }, headers: { cookie, ...headers } });
    expect((await action({ 'sec-fetch-site': 'cross-site', 'x-csrf-token': csrfToken })).status).toBe(403);
    expect((await action({})).status).toBe(403); // no CSRF token
    // The page's own request passes the guards and reaches the saga service, which is not running here.
    expect((await action({ 'sec-fetch-site': 'same-origin', 'x-csrf-token': csrfToken })).status).toBe(503);
  });

  it('answers an action on an unknown instance 404, and 503 when the saga service does not answer', async () => {
    const unknown = await call('/v1/saga-dashboard/instances/orderPlacement-nope/resolve', {
      token: 'operator-token',
      method: 'POST',
      body: { reason: 'done by hand' },
    });
    expect(unknown.status).toBe(404);
    const sagaId = (folded[0] as StartedSaga).sagaId;
    const down = await call(`/v1/saga-dashboard/instances/${sagaId}/resolve`, { token: 'operator-token', method: 'POST', body: { reason: 'done by hand' } });
    expect(down).toMatchObject({ status: 503, body: { detail: expect.stringMatching(/sagas is unavailable/) } });
    const empty = await call(`/v1/saga-dashboard/instances/${sagaId}/resolve`, { token: 'operator-token', method: 'POST', body: { reason: '' } });
    expect(empty.status).toBe(400);
  });

  it('serves its page to anyone under a CSP of its own: one HTML document, and the script and stylesheet bundled at start with ETags', async () => {
    const page = await fetch(`${host.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(PAGE_CSP).toMatch(/script-src 'self';/);
    expect(PAGE_CSP).not.toContain('unsafe');
    const html = await page.text();
    // No inline script or style: the CSP would refuse them.
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/);
    const assets = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.sort()).toEqual(['/dashboard/assets/app.css', '/dashboard/assets/app.js']);
    for (const [asset, type] of [
      ['/dashboard/assets/app.js', /^text\/javascript/],
      ['/dashboard/assets/app.css', /^text\/css/],
    ] as const) {
      const answer = await fetch(`${host.url}${asset}`);
      expect({ asset, status: answer.status, type: answer.headers.get('content-type'), csp: answer.headers.get('content-security-policy') }).toEqual({
        asset,
        status: 200,
        type: expect.stringMatching(type),
        csp: PAGE_CSP,
      });
      expect((await answer.text()).length).toBeGreaterThan(1_000);
      const etag = answer.headers.get('etag') as string;
      expect((await fetch(`${host.url}${asset}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    }
    // uPlot's stylesheet is bundled in, not fetched from anywhere else.
    expect(await (await fetch(`${host.url}/dashboard/assets/app.css`)).text()).toContain('.uplot');
    expect((await fetch(`${host.url}/dashboard/assets/app.js.map`)).status).toBe(400);
    expect((await fetch(`${host.url}/dashboard/assets/other.js`)).status).toBe(404);
  });

  it('sends an open page the instances that change, live', async () => {
    const controller = new AbortController();
    const response = await fetch(`${host.url}/v1/saga-dashboard/live`, {
      headers: { authorization: 'Bearer viewer-token', accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(received)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${received}`);
        received += value;
      }
    };
    await until(/event: ready/);
    const fixture = fixtures.find((each) => folded.find((state) => state.sagaId === each.instance)?.status === 'completed') as (typeof fixtures)[number];
    const key = randomUUID();
    const stream = `orderPlacement-${key}`;
    const [started] = eventsOf(fixture);
    await host.standIns.sagas.appendToStream(
      stream,
      [
        {
          id: randomUUID(),
          type: 'SagaStarted',
          data: { ...(started?.data as object), key },
          metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
        },
      ],
      {
        expectedRevision: 'any',
      },
    );
    await until(new RegExp(`event: update\\ndata: .*"sagaId":"${stream}"`));
    controller.abort();
  });

  it('answers HEAD on the live stream at once, since a stream has no head to give', async () => {
    // Node sends no headers for a HEAD answer until it ends, and an event stream never ends:
    // a HEAD route beside the stream hung until the client gave up (found by shop-fuzz.int).
    const response = await fetch(`${host.url}/v1/saga-dashboard/live`, {
      method: 'HEAD',
      headers: { authorization: 'Bearer viewer-token' },
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });

  it('lists a parked event of its own projection with its error and age, and redrives it', async () => {
    // A SagaStarted the engine cannot fold: the projection parks it and goes on.
    const stream = `orderPlacement-${randomUUID()}`;
    await host.standIns.sagas.appendToStream(
      stream,
      [{ id: randomUUID(), type: 'SagaStarted', data: { nonsense: true }, metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 } }],
      {
        expectedRevision: 'any',
      },
    );
    const parked = await eventually(
      async () => {
        const { body } = await get('/v1/saga-dashboard/dead-letters', 'operator-token');
        return (body as { items: { consumer: string; key: string; count: number; firstError: string; ageSeconds: number }[] }).items[0];
      },
      'the event parked',
      { timeoutMs: 90_000, intervalMs: 500 },
    ); // after the consumer's retries (about 53 s)
    expect(parked).toMatchObject({ key: stream, count: 1, ageSeconds: expect.any(Number) });
    expect(parked.firstError).not.toBe('');
    const redrive = await call(`/v1/saga-dashboard/dead-letters/${parked.consumer}/${encodeURIComponent(parked.key)}/redrive`, {
      token: 'operator-token',
      method: 'POST',
    });
    // It fails again: it stays parked, and the answer says why.
    expect(redrive).toMatchObject({ status: 200, body: { consumer: parked.consumer, key: stream, applied: 0, remaining: 1, error: expect.any(String) } });
    expect((await call('/v1/saga-dashboard/dead-letters/nobody/key/redrive', { token: 'operator-token', method: 'POST' })).status).toBe(404);
  });
});
