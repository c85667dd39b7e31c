import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  tracer: Tracer;
  /** Flushes spans not yet exported; part of graceful shutdown. */
  shutdown(): Promise<void>;
}

let provider: NodeTracerProvider | undefined;

/**
 * Required only when there is an endpoint, not imported above: the exporter brings the
 * OTLP transformer and the metrics SDK, about 2 MB of live heap in every process, unused
 * without an endpoint.
 */
const otlpExporter = (endpoint: string) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` });
};

/**
 * Registers W3C trace-context propagation for the process, and an OTLP exporter only
 * when an endpoint is given (OTEL_EXPORTER_OTLP_ENDPOINT). Without one, spans still get
 * ids, so logs carry trace ids and traceparent still travels; nothing is sent.
 * In embedded mode several services share one process: the first call registers.
 */
export const startTracing = (service: string, endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT): Tracing => {
  if (!provider) {
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: endpoint ? [new BatchSpanProcessor(otlpExporter(endpoint))] : [],
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
  }
  const registered = provider;
  return { tracer: trace.getTracer(service), shutdown: () => registered.forceFlush() };
};

/** A carrier of W3C trace headers: HTTP headers, event metadata, Kafka headers (as strings). */
export type TraceCarrier = Record<string, string | string[] | undefined>;

/**
 * The one way Ordo writes trace context into anything that leaves the process:
 * `{ traceparent, tracestate? }` of the active span (empty outside any span).
 */
export const traceHeaders = (from: Context = context.active()): { traceparent?: string; tracestate?: string } => {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
};

/** The one way Ordo reads trace context from anything that arrives. */
export const contextFromCarrier = (carrier: TraceCarrier): Context => propagation.extract(ROOT_CONTEXT, carrier);

export const currentTraceIds = (): { traceId: string; spanId: string } | undefined => {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
};

/**
 * Runs work in a new span, child of the carrier's trace when given (an incoming
 * message), else of the active span. Errors mark the span and are rethrown.
 */
export const inSpan = async <T>(
  tracer: Tracer,
  name: string,
  options: { kind?: SpanKind; parent?: TraceCarrier; attributes?: Record<string, string | number | boolean> },
  work: (span: Span) => Promise<T>,
): Promise<T> => {
  const parent = options.parent ? contextFromCarrier(options.parent) : context.active();
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
};

/** fetch with the active trace context in its headers: every outgoing HTTP call uses it. */
export const tracedFetch = (input: string | URL, init: RequestInit = {}): Promise<Response> => {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(traceHeaders())) if (value) headers.set(name, value);
  return fetch(input, { ...init, headers });
};

export { SpanKind, SpanStatusCode, context as otelContext, trace as otelTrace, type Context, type Span, type Tracer };
