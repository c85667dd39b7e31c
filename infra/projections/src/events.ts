import { HEADER } from '@ordo/messaging';
import type { ProjectedEvent } from './definition';

/** A message as a projection's runner gets it: from the bus (ConsumedMessage), or from a rebuild's feed. */
export interface ProjectionMessage {
  topic: string;
  partition: number;
  /** Kafka's offset, or a store checkpoint (`<major>:<minor>`): ordered within its topic and partition. */
  offset: string;
  headers: Record<string, string>;
  /** The published event's JSON (parsed or not), or the event itself when read from its store. */
  value: unknown;
}

/** What the relay publishes (eventMessageValue): a RecordedEvent, revision and position as strings. */
interface PublishedEvent {
  id: string;
  type: string;
  stream: string;
  revision: string | number;
  data: unknown;
  recordedAt: string;
  metadata?: { correlationId?: string; causationId?: string; traceparent?: string };
}

const isPublishedEvent = (value: unknown): value is PublishedEvent => {
  const event = value as PublishedEvent | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.stream === 'string' &&
    (typeof event.revision === 'string' || typeof event.revision === 'number') &&
    typeof event.recordedAt === 'string'
  );
};

/** The event of a message; a value that is not one throws, so the message parks. */
export const projectedEventOf = (value: unknown): ProjectedEvent => {
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!isPublishedEvent(parsed)) throw new Error('the message is not an event: id, type, stream, revision and recordedAt are required');
  const recordedAt = new Date(parsed.recordedAt);
  if (Number.isNaN(recordedAt.getTime())) throw new Error(`event ${parsed.id} has no valid recordedAt: '${parsed.recordedAt}'`);
  return {
    id: parsed.id,
    stream: parsed.stream,
    revision: BigInt(parsed.revision),
    type: parsed.type,
    data: parsed.data,
    recordedAt,
    ...(parsed.metadata?.correlationId === undefined ? {} : { correlationId: parsed.metadata.correlationId }),
    ...(parsed.metadata?.causationId === undefined ? {} : { causationId: parsed.metadata.causationId }),
    ...(parsed.metadata?.traceparent === undefined ? {} : { traceparent: parsed.metadata.traceparent }),
  };
};

/**
 * Whether a message can concern the projection, told from its headers before any parse:
 * a command copy (a saga's CommandIssued on a command topic) never does, nor an event
 * type the projection does not handle.
 */
export const mayConcern = (message: ProjectionMessage, handles: ReadonlySet<string> | undefined): boolean => {
  if (message.headers[HEADER.messageKind] === 'command') return false;
  const type = message.headers[HEADER.eventType];
  return !handles || type === undefined || handles.has(type);
};

/** A Kafka offset `n` orders as (n, 0); a store checkpoint `a:b` as (a, b). */
export const offsetOrder = (offset: string): [bigint, bigint] => {
  const [major = '0', minor = '0'] = offset.split(':');
  return [BigInt(major), BigInt(minor)];
};

// Decimal integers without leading zeros order by length, then as text: no parse needed.
const compareDecimals = (a: string, b: string): number => (a.length !== b.length ? (a.length < b.length ? -1 : 1) : a === b ? 0 : a < b ? -1 : 1);

export const compareOffsets = (a: string, b: string): number => {
  // Kafka offsets, the common case (every message of a batch): compared as they are.
  if (!a.includes(':') && !b.includes(':')) return compareDecimals(a, b);
  const [a1, a2] = offsetOrder(a);
  const [b1, b2] = offsetOrder(b);
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  return a2 === b2 ? 0 : a2 < b2 ? -1 : 1;
};
