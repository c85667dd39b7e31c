import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { HttpProblem, PROBLEM_CONTENT_TYPE, type Problem } from '../problem';

/** Headers every answer carries, the ones written outside fastify's hooks included. */
export const BASE_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

const problemOf = (status: number, detail: string): Problem => ({ type: 'about:blank', title: http.STATUS_CODES[status] ?? 'Client Error', status, detail });

/**
 * What Node's HTTP parser refuses before fastify sees a request (a control character in
 * a header, a malformed request line, headers too large, a request too slow), answered
 * as problem+json on the raw socket, which is then closed.
 */
export const clientErrorHandler = (error: Error & { code?: string }, socket: Socket): void => {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify(problemOf(status, detail));
  if (socket.writable) {
    const headers = Object.entries({
      ...BASE_HEADERS,
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    });
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
  }
  socket.destroy(error);
};

/** Node answers an Expect other than 100-continue itself, with 417 and no body; this answers it as problem+json. */
export const expectationFailed = (request: http.IncomingMessage, response: http.ServerResponse): void => {
  const body = JSON.stringify({ ...problemOf(417, `cannot meet Expect: ${request.headers.expect ?? ''}`), instance: request.url });
  response.writeHead(417, { ...BASE_HEADERS, 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
};

/** Errors fastify's router raises before any hook runs: a path parameter too long (414), an undecodable URL (400). */
export const frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
  const [status, detail] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'a path parameter is too long']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'the URL is not validly percent-encoded']
        : [500, 'the request could not be completed; the error was logged'];
  if (status >= 500) request.log.error({ err: error, correlationId: request.id }, 'request failed');
  void reply
    .code(status)
    .headers(BASE_HEADERS)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ ...problemOf(status, detail), instance: request.url });
};

export class MethodNotAllowed extends HttpProblem {
  constructor(
    method: string,
    readonly allowed: string[],
  ) {
    super(405, 'Method Not Allowed', `${method} is not allowed here; allowed: ${allowed.join(', ')}`);
  }
}

/**
 * A router of every registered path, to tell a wrong method on an existing path (405
 * with Allow) from a path that does not exist (404). Feed it from an onRoute hook.
 */
export const routeMethodRegistry = () => {
  const router = FindMyWay();
  const methods = new Set<HTTPMethod>();
  return {
    add: (route: { method: string | string[]; url: string }) => {
      for (const method of [route.method].flat() as HTTPMethod[]) {
        methods.add(method);
        if (!router.hasRoute(method, route.url)) router.on(method, route.url, () => undefined);
      }
    },
    allowedAt: (path: string): string[] => [...methods].filter((method) => router.find(method, path) !== null),
  };
};
