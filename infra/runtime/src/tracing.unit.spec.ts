import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  contextFromCarrier,
  currentTraceIds,
  inSpan,
  otelTrace,
  SpanKind,
  SpanStatusCode,
  startTracing,
  traceHeaders,
  tracedFetch,
  type Span,
} from './tracing';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

// A span from another process, as it arrives in a message's headers.
const REMOTE = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const remoteTraceparent = `00-${REMOTE.traceId}-${REMOTE.spanId}-01`;

// The SDK's spans are ReadableSpans; the API type hides their parent, kind and status.
const isReadable = (span: Span): span is Span & ReadableSpan => 'ended' in span && 'parentSpanContext' in span;
const readable = (span: Span | undefined): ReadableSpan => {
  if (!span || !isReadable(span)) throw new Error('expected a span of the OpenTelemetry SDK');
  return span;
};

const { tracer, shutdown } = startTracing('test');
afterAll(() => shutdown());

describe('trace headers', () => {
  it('are empty outside any span', () => {
    expect(traceHeaders()).toEqual({});
    expect(currentTraceIds()).toBeUndefined();
  });

  it('carry a W3C traceparent naming the active span', async () => {
    const { headers, ids } = await inSpan(tracer, 'work', {}, async (span) => ({ headers: traceHeaders(), ids: span.spanContext() }));
    expect(headers.traceparent).toMatch(TRACEPARENT);
    expect(headers.traceparent).toBe(`00-${ids.traceId}-${ids.spanId}-01`);
  });

  it('give the current trace ids of the active span', async () => {
    const [current, ids] = await inSpan(tracer, 'work', {}, async (span) => [currentTraceIds(), span.spanContext()] as const);
    expect(current).toEqual({ traceId: ids.traceId, spanId: ids.spanId });
  });

  it('read back from a carrier into a context holding the remote span', () => {
    const remote = otelTrace.getSpanContext(contextFromCarrier({ traceparent: remoteTraceparent }));
    expect(remote).toMatchObject({ ...REMOTE, isRemote: true });
  });

  it('read the first value when a carrier holds several (Node header arrays)', () => {
    const remote = otelTrace.getSpanContext(contextFromCarrier({ traceparent: [remoteTraceparent, `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`] }));
    expect(remote).toMatchObject(REMOTE);
  });

  it('read nothing from a carrier without trace context', () => {
    expect(otelTrace.getSpanContext(contextFromCarrier({ 'content-type': 'application/json' }))).toBeUndefined();
  });
});

describe('inSpan', () => {
  it('starts a child of the carrier it is given, in the same trace', async () => {
    const carrier = await inSpan(tracer, 'publish', {}, async () => traceHeaders());
    const [, traceId, spanId] = TRACEPARENT.exec(carrier.traceparent ?? '') ?? [];
    const child = await inSpan(tracer, 'consume', { parent: carrier }, async (span) => span);
    expect(child.spanContext().traceId).toBe(traceId);
    expect(child.spanContext().spanId).not.toBe(spanId);
    expect(readable(child).parentSpanContext?.spanId).toBe(spanId);
  });

  it('prefers the carrier over the active span: an incoming message continues its own trace', async () => {
    const child = await inSpan(tracer, 'handler', {}, () => inSpan(tracer, 'consume', { parent: { traceparent: remoteTraceparent } }, async (span) => span));
    expect(child.spanContext().traceId).toBe(REMOTE.traceId);
    expect(readable(child).parentSpanContext?.spanId).toBe(REMOTE.spanId);
  });

  it('without a carrier, starts a child of the active span', async () => {
    const [outer, inner] = await inSpan(tracer, 'outer', {}, async (outer) => [outer, await inSpan(tracer, 'inner', {}, async (inner) => inner)] as const);
    expect(inner.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(readable(inner).parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
  });

  it('gives the span its kind and attributes, returns what the work returns and ends the span', async () => {
    let started: Span | undefined;
    const result = await inSpan(tracer, 'append', { kind: SpanKind.PRODUCER, attributes: { 'ordo.stream': 'order-1', 'ordo.revision': 3 } }, async (span) => {
      started = span;
      return 'appended';
    });
    expect(result).toBe('appended');
    const span = readable(started);
    expect(span).toMatchObject({ name: 'append', kind: SpanKind.PRODUCER, ended: true, attributes: { 'ordo.stream': 'order-1', 'ordo.revision': 3 } });
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('rethrows an error of the work, after marking the span failed and ending it', async () => {
    let started: Span | undefined;
    const failure = new Error('stock service down');
    const attempt = inSpan(tracer, 'reserve', {}, async (span) => {
      started = span;
      throw failure;
    });
    await expect(attempt).rejects.toBe(failure);
    const span = readable(started);
    expect(span.ended).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events).toEqual([
      expect.objectContaining({ name: 'exception', attributes: expect.objectContaining({ 'exception.message': 'stock service down' }) }),
    ]);
  });

  it('leaves the active span as it was once the work is done', async () => {
    await inSpan(tracer, 'work', {}, async () => undefined);
    expect(currentTraceIds()).toBeUndefined();
  });
});

describe('startTracing in embedded mode', () => {
  it('registers once: a second service gets its own tracer on the first provider', async () => {
    const second = startTracing('second-service');
    const span = readable(await inSpan(second.tracer, 'work', {}, async (span) => span));
    expect(span.instrumentationScope.name).toBe('second-service');
    expect(span.resource.attributes['service.name']).toBe('test');
  });
});

describe('tracedFetch', () => {
  let server: Server;
  let url: string;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(request.headers);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('sends the traceparent of the active span, beside the headers the caller gave', async () => {
    const ids = await inSpan(tracer, 'call', {}, async (span) => {
      await tracedFetch(url, { headers: { 'x-request-id': 'request-1' } });
      return span.spanContext();
    });
    expect(received).toEqual([expect.objectContaining({ traceparent: `00-${ids.traceId}-${ids.spanId}-01`, 'x-request-id': 'request-1' })]);
  });

  it('sends no traceparent outside any span', async () => {
    const response = await tracedFetch(url);
    expect(await response.text()).toBe('ok');
    expect(received).toHaveLength(1);
    expect(received[0]).not.toHaveProperty('traceparent');
  });
});
