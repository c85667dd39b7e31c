import type { FastifyRequest } from 'fastify';

/**
 * Whose request this is, for scoping what callers must not share (idempotency keys, ids
 * derived from them, rate limits): the principal's subject when it sent a valid token,
 * else its address. A subject never holds a ':' (AUTH_TOKENS splits on it), so the two
 * forms cannot meet. Behind a proxy every anonymous caller has the proxy's address.
 */
export const callerScope = (request: FastifyRequest): string => request.principal?.subject ?? `address:${request.ip}`;
