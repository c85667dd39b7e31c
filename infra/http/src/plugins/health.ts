import type { Lifecycle } from '@ordo/runtime';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { PROBLEM_CONTENT_TYPE } from '../problem';

export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

const withTimeout = (check: ReadinessCheck): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    check()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });

/**
 * `/health/live`: the process answers. `/health/ready`: it has started, is not shutting
 * down, and every check (a database ping, a broker) passes; otherwise 503 naming them.
 */
export const healthPlugin = fp(
  async (app: FastifyInstance, { checks, lifecycle }: { checks: Record<string, ReadinessCheck>; lifecycle?: Lifecycle }) => {
    app.get('/health/live', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'live' }));

    app.get('/health/ready', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await withTimeout(check);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, error instanceof Error ? error.message : String(error)] as const;
          }
        }),
      );
      const state = lifecycle?.state ?? 'ready';
      const failing = results.filter(([, outcome]) => outcome !== 'ok');
      if (state === 'ready' && failing.length === 0) return { status: 'ready', checks: Object.fromEntries(results) };
      return reply
        .code(503)
        .type(PROBLEM_CONTENT_TYPE)
        .send({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: state !== 'ready' ? `the service is ${state}` : `failing: ${failing.map(([name]) => name).join(', ')}`,
          state,
          checks: Object.fromEntries(results),
        });
    });
  },
  { name: 'ordo-health' },
);
