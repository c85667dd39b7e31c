import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import { traceHeaders } from '@ordo/runtime';
import { callerScope } from './caller';

// Its own namespace: ids derived here never equal ids the event store derives.
const REQUEST_NAMESPACE = '5b0b8f36-4f0e-4b53-9f8a-2c0f6e0c2d41';

/** What a command built from an HTTP request carries (docs/architecture.md: "time and ids enter through command metadata"). */
export interface RequestCommandContext {
  commandId: string;
  correlationId: string;
  actor?: string;
  traceparent?: string;
  /** The request's time, ISO: the only clock a decider sees. */
  now: string;
}

/**
 * An id for `purpose` that a retried request gets again: with an Idempotency-Key,
 * uuid v5 of the purpose, the caller (its subject, or its address when anonymous) and
 * the key, scoped as stored answers are, so two callers or two routes picking the same
 * key never share a command or an aggregate; without one, a fresh uuid.
 */
export const requestDerivedId = (request: FastifyRequest, purpose: string): string => {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') return randomUUID();
  return uuidv5(`${purpose}/${callerScope(request)}/${key}`, REQUEST_NAMESPACE);
};

/**
 * The command metadata of a request: its command id (derived from the Idempotency-Key,
 * so a retry appends nothing even after the stored answer expired), the request id as
 * correlation id, the caller, the trace, and the time.
 */
export const commandContext = (request: FastifyRequest, clock: () => Date, purpose: string): RequestCommandContext => {
  const actor = request.principal?.subject;
  const { traceparent } = traceHeaders();
  return {
    commandId: requestDerivedId(request, `command/${purpose}`),
    correlationId: request.id,
    ...(actor ? { actor } : {}),
    ...(traceparent ? { traceparent } : {}),
    now: clock().toISOString(),
  };
};
