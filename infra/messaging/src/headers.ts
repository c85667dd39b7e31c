import type { IHeaders } from 'kafkajs';
import { v5 as uuidv5 } from 'uuid';
import type { RecordedEvent } from '@ordo/eventstore';

// The headers every Ordo message carries (docs/architecture.md, "Contracts"), so a consumer can
// route, deduplicate and trace a message without parsing its value.
export const HEADER = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  traceparent: 'traceparent',
  /** `event` or `command`: which of an event's messages this is. */
  messageKind: 'message-kind',
} as const;

/** The messages one event becomes: itself on its context's event topic, and a command it records on the target's command topic. */
export type MessageKind = 'event' | 'command';

// A fixed namespace for the ids of an event's other messages; changing it would change every such id.
const MESSAGE_NAMESPACE = '5d0c8f8e-2b7a-4c1e-9f3d-6a4b8e2c1d70';

/**
 * The id a message is deduplicated by (the `event-id` header): the event's own id for
 * the event, and for the command it records an id derived from it (uuid v5 of the event
 * id and the kind), so a consumer of both topics handles both, and a re-sent command
 * still carries the same id.
 */
export const messageIdOf = (event: Pick<RecordedEvent, 'id'>, kind: MessageKind = 'event'): string =>
  kind === 'event' ? event.id : uuidv5(`${event.id}/${kind}`, MESSAGE_NAMESPACE);

export const headersOf = (event: RecordedEvent, kind: MessageKind = 'event'): IHeaders => ({
  [HEADER.eventId]: messageIdOf(event, kind),
  [HEADER.messageKind]: kind,
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
