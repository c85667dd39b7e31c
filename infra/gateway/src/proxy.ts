import { Readable } from 'node:stream';
import httpProxy from '@fastify/http-proxy';
import type { FastifyRequest } from 'fastify';
import { HttpProblem, type HttpServer } from '@ordo/http';
import { roundRobin, traceHeaders } from '@ordo/runtime';
import { methodsOf, type GatewayRoute } from './routes';

export interface ProxyOptions {
  table: readonly GatewayRoute[];
  /** Each service's base URLs, by name: more than one for a service with replicas, which take turns. */
  upstreams: ReadonlyMap<string, readonly string[]>;
  /** How long a service may take to answer (its headers, then each pause in its body). */
  timeoutMs: number;
}

class BadGateway extends HttpProblem {
  constructor(service: string, cause: string) {
    super(502, 'Bad Gateway', `${service} did not answer (${cause})`, { service });
  }
}

class GatewayTimeout extends HttpProblem {
  constructor(service: string, timeoutMs: number) {
    super(504, 'Gateway Timeout', `${service} did not answer within ${timeoutMs} ms`, { service });
  }
}

/** The code of what went wrong underneath (ECONNREFUSED, UND_ERR_SOCKET), for the problem's detail. */
const causeOf = (error: Error & { code?: string; cause?: unknown }): string => {
  const cause = error.cause as (Error & { code?: string }) | undefined;
  return cause?.code ?? error.code ?? error.message;
};

/**
 * Who the request came from and how, for the service behind (its TRUST_PROXY believes
 * them). The client's address, host and protocol are what the gateway took them for
 * (request.ip, .host, .protocol): what a client says in its own X-Forwarded-* headers is
 * believed only from a proxy in the gateway's own TRUST_PROXY.
 */
const forwardedHeaders = (request: FastifyRequest) => ({
  'x-forwarded-for': request.ip,
  'x-forwarded-proto': request.protocol,
  ...(request.host ? { 'x-forwarded-host': request.host } : {}),
});

/**
 * The table's routes, each proxied to its service with @fastify/http-proxy. Bodies go
 * through as they came (no parsing here); the correlation id and the trace go with them.
 * Answers are passed back as they are, 503s too: the gateway retries nothing, so a
 * client's Retry-After is the service's. A service that refuses the connection or
 * fails midway is 502, one too slow 504, both problem+json.
 */
export const proxyRoutes =
  ({ table, upstreams, timeoutMs }: ProxyOptions) =>
  async (app: HttpServer): Promise<void> => {
    for (const route of table) {
      const urls = upstreams.get(route.service);
      if (!urls?.length) throw new Error(`no upstream URL for ${route.service}`);
      // Replicas take turns, request by request; one that is down answers 502 (nothing is retried here).
      const nextUpstream = roundRobin(urls);
      await app.register(async (scope) => {
        // The chassis parses JSON bodies; a proxied body goes on as the bytes it came as,
        // read whole first so that the body limit holds (http-proxy's own parsers stream it
        // on unread), then handed on as a stream (reply-from would encode a JSON buffer again).
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, Readable.from([body])));
        // Its catch-all routes (`/v1/orders/*`) are not operations: /docs shows the services' own.
        scope.addHook('onRoute', (options) => {
          options.schema = { ...options.schema, hide: true };
        });
        await scope.register(httpProxy, {
          proxyPayloads: false,
          // No fixed upstream: getUpstream picks one per request (undici's agent pools by origin).
          upstream: '',
          prefix: route.prefix,
          rewritePrefix: route.prefix,
          httpMethods: [...methodsOf(route)],
          // Who may call a route is the service's to say: it checks the token the client sent.
          config: { access: 'public' },
          undici: { headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
          replyOptions: {
            getUpstream: () => nextUpstream(),
            retryDelay: () => null,
            rewriteRequestHeaders: (request, headers) => {
              const { traceparent, tracestate } = traceHeaders();
              return {
                ...headers,
                ...forwardedHeaders(request as FastifyRequest),
                'x-correlation-id': (request as FastifyRequest).id,
                ...(traceparent ? { traceparent } : {}),
                ...(tracestate ? { tracestate } : {}),
              };
            },
            onError: (reply, { error }) => {
              const problem =
                (error as { statusCode?: number }).statusCode === 504
                  ? new GatewayTimeout(route.service, timeoutMs)
                  : new BadGateway(route.service, causeOf(error));
              reply.request.log.warn({ err: error, service: route.service, correlationId: reply.request.id }, 'a service did not answer');
              // Through the chassis's error handler, which answers problem+json.
              reply.send(problem);
            },
          },
        });
      });
    }
  };
