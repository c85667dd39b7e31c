import { randomBytes } from 'node:crypto';
import { testEnvironment } from '@ordo/testing';
import { startLocalProcess } from './launch';

// The local supervisor stops on SIGTERM (what a terminal, systemd or a container runtime
// sends) even while its services crash at start: it stops each restart concurrently
// makes after the signal, ends its wait for readiness, and leaves no process behind.
describe('the local supervisor, its services crashing at start', () => {
  const env = testEnvironment();

  it('exits on SIGTERM within seconds and leaves no process running', async () => {
    const supervisor = startLocalProcess({
      basePort: 19_460,
      databaseUrl: env.databaseUrl,
      databasePrefix: `t_stop_${randomBytes(3).toString('hex')}_`,
      kafkaBrokers: env.kafkaBrokers,
      // Every service's node refuses to start: each exits 1 at once, and concurrently restarts it a second later.
      env: { ORDO_SERVICE_NODE_ARGS: '--require /nonexistent/ordo-crash-at-start.js' },
    });
    try {
      await supervisor.waitForLine(/restarted/, 120_000);
      const signalled = Date.now();
      supervisor.child.kill('SIGTERM');
      const exitedInTime = await Promise.race([
        supervisor.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000).unref()),
      ]);
      expect({ exitedInTime, output: exitedInTime ? [] : supervisor.output.slice(-20) }).toEqual({ exitedInTime: true, output: [] });
      expect(Date.now() - signalled).toBeLessThan(15_000);
      expect(supervisor.child.exitCode).toBe(0);
      expect(supervisor.leftovers()).toEqual([]);
    } finally {
      await supervisor.cleanUp();
    }
  }, 180_000);
});
