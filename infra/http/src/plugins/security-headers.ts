import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * helmet's headers on every answer (nosniff, a strict Content-Security-Policy, frame and
 * referrer policies), and `Cache-Control: no-store` on every answer that set no cache
 * policy of its own: API answers carry a caller's data, which no shared cache should keep.
 * /docs sets its own CSP (swagger-ui's scripts and styles) on its pages.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      // Services speak plain HTTP behind their ingress; upgrading would break /docs there.
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });
  },
  { name: 'ordo-security-headers' },
);
