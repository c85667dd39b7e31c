import type { ServiceMetrics } from '@ordo/runtime';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Latency and count per route template and status (a histogram has both), and the
 * Prometheus endpoint. Unmatched URLs share one label so scanners cannot explode it.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, { metrics }: { metrics: ServiceMetrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      if (route === '/metrics') return;
      metrics.httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    app.get('/metrics', { config: { access: 'viewer' }, schema: { hide: true } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'ordo-metrics' },
);
