import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { callerScope } from '../caller';
import { BadRequest, Conflict, UnprocessableContent } from '../problem';
import type { IdempotencyStore } from './store';

const HEADER = 'idempotency-key';
// Headers of the first answer that a replay must repeat.
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { scope: string; key: string; token: string };
  }
}

const requestHash = (request: FastifyRequest): string =>
  createHash('sha256')
    .update(`${request.method} ${request.url}\n`)
    .update(JSON.stringify(request.body ?? null))
    .digest('hex');

/**
 * POST with an Idempotency-Key: the first answer is stored and replayed for the same
 * key; the same key with a different request is 422; one still running is 409. Keys
 * are scoped per service, route and caller (subject, or address when anonymous), so
 * two clients never share one. Expired keys are purged every `purgeEveryMs`.
 */
export const idempotencyPlugin = fp(
  async (app: FastifyInstance, { service, store, purgeEveryMs }: { service: string; store: IdempotencyStore; purgeEveryMs: number }) => {
    const purge = setInterval(() => {
      store.purgeExpired().catch((error: unknown) => app.log.warn({ err: error }, 'could not purge expired idempotency keys; retrying at the next interval'));
    }, purgeEveryMs);
    purge.unref(); // a timer alone never keeps the process up
    app.addHook('onClose', async () => clearInterval(purge));

    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const key = request.headers[HEADER];
      // No route (a 404) has nothing to protect, and would let scanners fill the table.
      if (request.method !== 'POST' || key === undefined || request.routeOptions.url === undefined) return;
      if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
        throw new BadRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', [
          { in: 'headers', path: `/${HEADER}`, message: 'expected 1 to 255 visible ASCII characters' },
        ]);
      }
      const scope = `${service} ${request.routeOptions.url} ${callerScope(request)}`;
      const claim = await store.claim(scope, key, requestHash(request));
      switch (claim.outcome) {
        case 'claimed':
          request.idempotency = { scope, key, token: claim.token };
          return;
        case 'in-progress':
          reply.header('retry-after', '1');
          throw new Conflict('a request with this Idempotency-Key is still in progress; retry shortly');
        case 'different-request':
          throw new UnprocessableContent('this Idempotency-Key was used for a different request');
        case 'replay':
          return reply
            .code(claim.response.status)
            .headers({ ...claim.response.headers, 'idempotent-replayed': 'true' })
            .send(claim.response.body);
        default: {
          const unknown: never = claim;
          throw new Error(`unknown claim ${JSON.stringify(unknown)}`);
        }
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const claimed = request.idempotency;
      if (!claimed) return payload;
      request.idempotency = undefined;
      if (reply.statusCode >= 500) {
        // The client should retry a server failure; the key must not replay it.
        await store.release(claimed.scope, claimed.key, claimed.token);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      await store.complete(claimed.scope, claimed.key, claimed.token, {
        status: reply.statusCode,
        headers,
        body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
      });
      return payload;
    });
  },
  { name: 'ordo-idempotency' },
);
