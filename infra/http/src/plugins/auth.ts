import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Forbidden, Unauthorized } from '../problem';

export interface Principal {
  subject: string;
  roles: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Switches bearer-token auth on for a route: any of these roles may call it. */
    auth?: { roles: string[] };
  }
}

/**
 * `AUTH_TOKENS`: comma-separated `subject:token:role+role` entries, e.g.
 * `ops:s3cret:orders.admin+sagas.operate,shop:t0ken:orders.write`.
 */
export const authTokensFromEnv = () =>
  z.string().transform((text, ctx) => {
    const tokens = new Map<string, Principal>();
    for (const entry of text.split(',').map((item) => item.trim()).filter(Boolean)) {
      const [subject, token, roles, ...rest] = entry.split(':');
      if (!subject || !token || roles === undefined || rest.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated subject:token:role+role entries' });
        return z.NEVER;
      }
      tokens.set(token, { subject, roles: roles.split('+').filter(Boolean) });
    }
    return tokens;
  });

/** Bearer tokens from configuration, checked on the routes whose config asks for roles. */
export const authPlugin = fp(
  async (app: FastifyInstance, { tokens }: { tokens: ReadonlyMap<string, Principal> }) => {
    app.addHook('onRequest', async (request, reply) => {
      const required = request.routeOptions.config?.auth;
      if (!required) return;
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      const principal = match?.[1] ? tokens.get(match[1]) : undefined;
      if (!principal) {
        reply.header('www-authenticate', 'Bearer');
        throw new Unauthorized();
      }
      if (!required.roles.some((role) => principal.roles.includes(role))) {
        throw new Forbidden(`this route needs one of the roles ${required.roles.join(', ')}`);
      }
      request.principal = principal;
    });
  },
  { name: 'ordo-auth' },
);
