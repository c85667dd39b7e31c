import type { FastifyError, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DependencyUnavailable } from './client/service-client';

/** One failing input field: where it was, its path, and why it failed. */
export interface FieldError {
  in: 'body' | 'querystring' | 'params' | 'headers';
  path: string;
  message: string;
}

/** RFC 9457 problem details, as every Ordo error response carries them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error that already knows its HTTP answer. The small set below covers the platform. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
}

export class BadRequest extends HttpProblem {
  constructor(detail: string, errors: FieldError[] = []) {
    super(400, 'Bad Request', detail, errors.length > 0 ? { errors } : {});
  }
}
export class Unauthorized extends HttpProblem {
  constructor(detail = 'a valid bearer token is required') {
    super(401, 'Unauthorized', detail);
  }
}
export class Forbidden extends HttpProblem {
  constructor(detail = 'this token may not do that') {
    super(403, 'Forbidden', detail);
  }
}
export class NotFound extends HttpProblem {
  constructor(detail = 'no such resource') {
    super(404, 'Not Found', detail);
  }
}
export class Conflict extends HttpProblem {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(409, 'Conflict', detail, extensions);
  }
}
export class PreconditionFailed extends HttpProblem {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(412, 'Precondition Failed', detail, extensions);
  }
}
export class UnprocessableContent extends HttpProblem {
  constructor(detail: string) {
    super(422, 'Unprocessable Content', detail);
  }
}
export class ServiceUnavailable extends HttpProblem {
  constructor(detail = 'a dependency is down') {
    super(503, 'Service Unavailable', detail);
  }
}

/**
 * How an error the platform does not own (a domain rule, the event store's revision
 * conflict) maps to HTTP. `concurrency` is 409, or 412 when the client sent If-Match.
 */
export interface ErrorMapping {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor of an Error
  error: abstract new (...args: any[]) => Error;
  status: number | 'concurrency';
  title?: string;
  /** The request's fields at fault, for an error that names them (a 400 from a domain rule about given lines). */
  fields?: (error: never) => FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const titleOf = (status: number) => TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');

// Extensions first: one named like a member of the problem (an order's `status`) must not
// replace it, least of all the status the answer is sent with.
const problem = (status: number, detail: string | undefined, extensions: Record<string, unknown> = {}): Problem => ({
  ...extensions,
  type: 'about:blank',
  title: titleOf(status),
  status,
  ...(detail !== undefined && { detail }),
});

/**
 * The one place an error becomes an HTTP answer. Unknown errors are 500
 * with nothing of their message, stack or internals in the body.
 */
export const toProblem = (error: unknown, request: FastifyRequest, mappings: readonly ErrorMapping[] = []): Problem => {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error.validationContext ?? 'body') as FieldError['in'];
    const errors = error.validation.map((v) => ({ in: where, path: v.instancePath || '/', message: v.message ?? 'is not valid' }));
    return problem(400, `the request's ${where} is not valid`, { errors });
  }
  if (error instanceof HttpProblem) return { ...problem(error.status, error.message, error.extensions), title: error.title };
  if (error instanceof DependencyUnavailable) return problem(503, error.message);
  const mapped = mappings.find((mapping) => error instanceof mapping.error);
  if (mapped) {
    const status = mapped.status === 'concurrency' ? (request.headers['if-match'] ? 412 : 409) : mapped.status;
    const errors = mapped.fields?.(error as never);
    return { ...problem(status, (error as Error).message, errors ? { errors } : {}), ...(mapped.title && { title: mapped.title }) };
  }
  // fastify's own client errors (body too large, media type, malformed JSON) are safe to show.
  const statusCode = (error as FastifyError | undefined)?.statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return problem(statusCode, (error as Error).message);
  return problem(500, 'the request could not be completed; the error was logged');
};
