import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

// A service started on its own (local mode's processes, compose) has no one to make it
// tokens: without AUTH_TOKENS it must refuse to start rather than run with nothing guarded.
describe('a service started on its own', () => {
  const start = (authTokens?: string, more: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'infra/cli/src/serve.ts', 'catalog'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...(authTokens === undefined ? {} : { AUTH_TOKENS: authTokens }), ...more },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('refuses to start without AUTH_TOKENS, or with none in it, saying why', () => {
    for (const [given, message] of [
      [undefined, /AUTH_TOKENS: required: the bearer tokens this service admits/],
      ['', /AUTH_TOKENS: required: the bearer tokens this service admits/],
      [' , ', /AUTH_TOKENS: at least one subject:token:role entry/],
      ['ops:s3cret:superuser', /AUTH_TOKENS: ops: expected roles among customer, viewer, operator, admin/],
    ] as const) {
      const result = start(given);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('s3cret');
    }
  });

  it('refuses to start with fewer PostgreSQL connections than it needs, saying how many', () => {
    for (const given of ['3', 'many']) {
      const result = start('ops:s3cret:operator', { DATABASE_CONNECTIONS: given });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        given === '3' ? /DATABASE_CONNECTIONS: expected at least 4: two for the service's pool/ : /DATABASE_CONNECTIONS: expected a whole number/,
      );
    }
  });
});
