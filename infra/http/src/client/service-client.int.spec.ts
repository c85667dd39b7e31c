import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMetrics } from '@ordo/runtime';
import { DependencyUnavailable, serviceClient } from './service-client';

// A real HTTP server that can be told how to behave, and counts what reached it.
type Behaviour = 'ok' | 'not-found' | 'fail' | 'hang';
const dependency = async () => {
  let behaviour: Behaviour = 'ok';
  let received = 0;
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    received += 1;
    headers.push(request.headers);
    if (behaviour === 'hang') return; // never answers; the client's timeout ends the attempt
    const status = behaviour === 'ok' ? 200 : behaviour === 'not-found' ? 404 : 500;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    behave: (next: Behaviour) => void (behaviour = next),
    received: () => received,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

describe('a call to another service', () => {
  let remote: Awaited<ReturnType<typeof dependency>>;
  beforeEach(async () => (remote = await dependency()));
  afterEach(() => remote.close());

  const client = (overrides = {}) =>
    serviceClient({
      target: 'customers',
      baseUrl: () => remote.url,
      token: 'svc',
      timeoutMs: 200,
      retries: 2,
      failuresToOpen: 2,
      halfOpenAfterMs: 300,
      ...overrides,
    });

  it('answers the body and status, with its token, and takes a 404 for an answer', async () => {
    const calls = client();
    expect(await calls.getJson('/v1/x')).toEqual({ status: 200, body: { status: 200 } });
    remote.behave('not-found');
    expect(await calls.getJson('/v1/x')).toEqual({ status: 404, body: { status: 404 } });
    expect(remote.received()).toBe(2);
    expect(remote.headers[0]?.authorization).toBe('Bearer svc');
    expect(calls.state).toBe('closed');
  });

  it('retries a failing answer and a hung one, then gives up as unavailable', async () => {
    remote.behave('fail');
    await expect(client().getJson('/v1/x')).rejects.toEqual(expect.objectContaining({ name: 'DependencyUnavailable', reason: 'failing' }));
    expect(remote.received()).toBe(3);
    remote.behave('hang');
    await expect(client().getJson('/v1/x')).rejects.toEqual(expect.objectContaining({ reason: 'timed-out' }));
    expect(remote.received()).toBe(6);
  });

  it('opens the circuit after repeated failures, refuses without calling while open, and closes once the service is back', async () => {
    const metrics = createMetrics('orders', { processMetrics: false });
    const calls = client({ metrics });
    const gauge = async () => (await metrics.registry.getSingleMetric('ordo_circuit_breaker_state')?.get())?.values[0]?.value;
    remote.behave('fail');
    for (let failure = 0; failure < 2; failure++) await expect(calls.getJson('/v1/x')).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(calls.state).toBe('open');
    expect(await gauge()).toBe(1);

    const reached = remote.received();
    const refused = await calls.getJson('/v1/x').catch((error: unknown) => error);
    expect(refused).toEqual(
      expect.objectContaining({ reason: 'circuit-open', message: 'customers is unavailable: its circuit is open after repeated failures' }),
    );
    expect(remote.received()).toBe(reached);

    remote.behave('ok');
    await sleep(350); // past halfOpenAfterMs: the next call is the trial
    expect(await calls.getJson('/v1/x')).toMatchObject({ status: 200 });
    expect(calls.state).toBe('closed');
    expect(await gauge()).toBe(0);
  });
});
