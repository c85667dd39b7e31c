import { contextFromCarrier, otelContext, otelTrace, runInWorkContext, SpanKind, SpanStatusCode, type Context, type Tracer } from '@ordo/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    traceContext: Context;
  }
}

/**
 * Each request runs in its trace (continued from an incoming `traceparent`) and its
 * work context (the correlation id), so every log line and outgoing call of the
 * handler carries both. The correlation id comes from `x-correlation-id` or is new,
 * and is echoed in the response.
 */
export const workContextPlugin = fp(
  async (app: FastifyInstance, { tracer }: { tracer: Tracer }) => {
    app.decorateRequest('traceContext', null as unknown as Context);

    app.addHook('onRequest', (request, reply, done) => {
      const parent = contextFromCarrier(request.headers);
      const route = request.routeOptions.url ?? 'unmatched';
      const span = tracer.startSpan(
        `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '' },
        },
        parent,
      );
      request.traceContext = otelTrace.setSpan(parent, span);
      reply.header('x-correlation-id', request.id);
      enter(request, done);
    });
    // Body parsing and async hooks can leave the async context; enter it again before
    // validation and before the handler.
    app.addHook('preValidation', (request, _reply, done) => enter(request, done));
    app.addHook('preHandler', (request, _reply, done) => enter(request, done));

    app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      const span = otelTrace.getSpan(request.traceContext);
      span?.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
      span?.end();
      done();
    });
  },
  { name: 'ordo-work-context' },
);

const enter = (request: FastifyRequest, done: HookHandlerDoneFunction) =>
  otelContext.with(request.traceContext, () => runInWorkContext({ correlationId: request.id, actor: request.principal?.subject }, done));
