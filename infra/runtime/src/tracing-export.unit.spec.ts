// startTracing with an OTLP endpoint, whose exporter it loads only then. A file of its own:
// the first call in a process registers the provider, and tracing.unit.spec.ts's has no endpoint.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { inSpan, startTracing } from './tracing';

describe('startTracing with an endpoint', () => {
  let server: Server;
  let endpoint: string;
  const received: { method?: string; url?: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, body });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the spans it ends to <endpoint>/v1/traces, with the service named', async () => {
    const { tracer, shutdown } = startTracing('exporting-service', endpoint);
    await inSpan(tracer, 'exported-work', {}, async () => undefined);
    await shutdown();
    expect(received).toEqual([{ method: 'POST', url: '/v1/traces', body: expect.stringContaining('exported-work') }]);
    expect(received[0]?.body).toContain('exporting-service');
  });

  it('is not loaded by a process that starts tracing without one', () => {
    // A process of its own: jest's module registry is not the one a service runs with.
    const loaded = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "require('@ordo/runtime').startTracing('quiet'); console.log(Object.keys(require.cache).filter((file) => file.includes('exporter-trace-otlp-http')).length)",
      ],
      { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8', env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' } },
    );
    expect(Number(loaded.trim())).toBe(0);
  });
});
