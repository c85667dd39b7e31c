import { inSpan, otelTrace, runInWorkContext, SpanKind } from '@ordo/runtime';
import { HEADER } from '../headers';
import type { ConsumedMessage } from './processor';

// The global tracer: the service registered its provider (startTracing); without one,
// the span carries the message's own trace context on, so ids still travel.
const tracer = () => otelTrace.getTracer('@ordo/messaging');

/**
 * Runs work as the message's own unit of work: in a consumer span continuing the trace
 * its `traceparent` header carries, so what the handler appends or calls carries the
 * same trace id (`traceHeaders()`), and in a work context with its correlation id, so
 * every log line written meanwhile names it (the logger's mixin reads both).
 */
export const inMessageContext = <R>(groupId: string, message: ConsumedMessage<unknown>, work: () => Promise<R>): Promise<R> =>
  inSpan(
    tracer(),
    `${message.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: message.headers,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': message.topic,
        'messaging.consumer.group.name': groupId,
        'messaging.message.id': message.messageId,
      },
    },
    // Without a correlation id header, the message's id: a line still leads to one message.
    () => runInWorkContext({ correlationId: message.headers[HEADER.correlationId] ?? message.messageId }, work),
  );
