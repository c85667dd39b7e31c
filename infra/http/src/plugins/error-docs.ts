import http from 'node:http';
import type { Access } from './auth';

/** RFC 9457 problem details, as the OpenAPI document describes every error answer. */
export const PROBLEM_JSON_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['in', 'path', 'message'],
        properties: { in: { type: 'string', enum: ['body', 'querystring', 'params', 'headers'] }, path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The error statuses a route can answer, derived from what it is, in one place:
 * every route may meet an invalid token (401), a missing resource (404), the rate
 * limit (429), a failure (500) or a dependency that is down (503); input makes 400
 * (any body, query, path parameter or header, and Idempotency-Key or If-Match);
 * a guarded route 403; a path parameter 414; a method with a body 409, 412 (If-Match),
 * 413 and 415; a POST 422 (an Idempotency-Key reused for another request). A route adds
 * what its handler answers besides (`config.errorStatuses`), such as a 403 of its own on a
 * public route.
 */
export const errorStatusesOf = (route: { method: string; url: string; access: Access | undefined; errorStatuses?: readonly number[] }): number[] => {
  const takesBody = BODY_METHODS.includes(route.method);
  const derived = [
    400,
    401,
    ...(route.access === 'public' ? [] : [403]),
    404,
    ...(route.url.includes(':') ? [414] : []),
    ...(takesBody ? [409, 412, 413, 415] : []),
    ...(route.method === 'POST' ? [422] : []),
    429,
    500,
    503,
  ];
  return [...new Set([...derived, ...(route.errorStatuses ?? [])])].sort((a, b) => a - b);
};

type ResponseSchemas = Record<string, unknown>;

/** Adds a problem+json answer for each error status the route does not describe itself. */
export const withErrorResponses = (response: ResponseSchemas | undefined, statuses: number[]): ResponseSchemas => {
  const documented: ResponseSchemas = { ...response };
  for (const status of statuses) {
    documented[status] ??= { description: http.STATUS_CODES[status] ?? 'Error', content: { 'application/problem+json': { schema: PROBLEM_JSON_SCHEMA } } };
  }
  return documented;
};
