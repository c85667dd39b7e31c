import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../problem';
import type { IdentifyCaller } from './auth';

export interface RateLimitOptions {
  /** Requests one client may make per window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 600, windowMs: 60_000 };

/**
 * The shop's own services calling each other (orders asking customers) are tokens whose
 * subject is `service` or `service:<name>`: they are not limited, since every call of
 * theirs is made for a client whom the first service already limited.
 */
export const isServiceSubject = (subject: string): boolean => subject === 'service' || subject.startsWith('service:');

class TooManyRequests extends HttpProblem {
  constructor(detail: string) {
    super(429, 'Too Many Requests', detail);
  }
}

/**
 * Requests per client and window, in memory per process: a client is its token's
 * subject, or its address when it sent none (or an invalid one, so guessing tokens is
 * limited too); another service of the shop is not limited (isServiceSubject). Over the limit: 429 with Retry-After. Health checks are never limited.
 * It runs before authentication, so a flood of bad tokens is refused cheaply.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, { limit, identify }: { limit: RateLimitOptions; identify: IdentifyCaller }) => {
    const clientOf = (request: FastifyRequest): string => {
      try {
        const principal = identify(request)?.principal;
        if (principal) return isServiceSubject(principal.subject) ? `service:${principal.subject}` : `subject:${principal.subject}`;
      } catch {
        // An invalid token counts against its address.
      }
      return `address:${request.ip}`;
    };
    await app.register(rateLimit, {
      global: false,
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: clientOf,
      allowList: (_request, key) => key.startsWith('service:'),
      errorResponseBuilder: (_request, context) => new TooManyRequests(`more than ${context.max} requests in ${limit.windowMs} ms; retry in ${context.after}`),
    });
    const limiter = app.rateLimit();
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/health/')) return;
      await limiter.call(app, request, reply);
    });
  },
  { name: 'ordo-rate-limit' },
);
