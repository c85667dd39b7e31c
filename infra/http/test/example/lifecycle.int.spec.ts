import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { testScope } from '@ordo/testing';
import { exampleEnv, startExample } from './process';

const scope = testScope();

describe('starting and stopping a service', () => {
  beforeAll(async () => {
    await scope.db();
  });

  it('on SIGTERM finishes the request in flight, refuses new ones, and exits 0', async () => {
    const service = await startExample(exampleEnv(scope.env.databaseUrl, scope.schema));
    const slow = fetch(`${service.url}/v1/slow?ms=1500`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(service.pid, 'SIGTERM');

    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waited: 1500 });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
    expect(service.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'shut down']));
  });

  it('exits 1 when shutdown has to be forced because a request outlives the timeout', async () => {
    const service = await startExample(exampleEnv(scope.env.databaseUrl, scope.schema, { SHUTDOWN_TIMEOUT_MS: '300' }));
    const slow = fetch(`${service.url}/v1/slow?ms=5000`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(service.pid, 'SIGTERM');
    expect((await service.exited).code).toBe(1);
    expect(String(await slow)).toMatch(/fetch failed/); // the connection died with the process
  });

  it('refuses to start with bad configuration, naming every bad variable in one message', () => {
    const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'main.ts')], {
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DATABASE_URL: 'mysql://nope', AUTH_TOKENS: 'broken' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/invalid configuration for notes-example:/);
    expect(result.stderr).toMatch(/PORT: expected a port number \(got "eighty"\)/);
    expect(result.stderr).toMatch(/DATABASE_URL: expected a URL \(postgres:\/\/ or postgresql:\/\/\)/);
    expect(result.stderr).toMatch(/AUTH_TOKENS: expected comma-separated subject:token:role\+role entries/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // one message, no stack
  });
});
