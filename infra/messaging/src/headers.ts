import type { IHeaders } from 'kafkajs';
import type { RecordedEvent } from '@ordo/eventstore';

// The headers every Ordo message carries (DESIGN.md, "Contracts"), so a consumer can
// route, deduplicate and trace a message without parsing its value.
export const HEADER = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  traceparent: 'traceparent',
} as const;

export const headersOf = (event: RecordedEvent): IHeaders => ({
  [HEADER.eventId]: event.id,
  [HEADER.eventType]: event.type,
  [HEADER.schemaVersion]: String(event.metadata.schemaVersion),
  [HEADER.correlationId]: event.metadata.correlationId,
  [HEADER.causationId]: event.metadata.causationId,
  ...(event.metadata.traceparent && { [HEADER.traceparent]: event.metadata.traceparent }),
});

/** Kafka header values arrive as Buffers (or arrays of them); handlers get strings. */
export const readHeaders = (headers: IHeaders | undefined): Record<string, string> => {
  const read: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) read[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return read;
};
