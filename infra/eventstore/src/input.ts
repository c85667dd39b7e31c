import { InvalidEventError } from './errors';
import { isUuid } from './ids';
import { validateAgainstRegistry, type EventSchemaRegistry } from './registry';
import type { EventData, ExpectedRevision } from './types';

const MAX_STREAM_LENGTH = 512;

export const checkStreamName = (stream: unknown): string => {
  if (typeof stream !== 'string' || stream.trim() === '') throw new InvalidEventError('a stream name must be a non-empty string');
  if (stream.length > MAX_STREAM_LENGTH) throw new InvalidEventError(`a stream name may have at most ${MAX_STREAM_LENGTH} characters`);
  return stream;
};

export const checkExpectedRevision = (expected: unknown): ExpectedRevision => {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return expected;
  if (typeof expected === 'bigint' && expected >= 0n) return expected;
  throw new InvalidEventError(`expectedRevision must be a non-negative bigint, 'no_stream', 'stream_exists' or 'any', not ${String(expected)}`);
};

/**
 * Everything wrong with an append is found before anything is written: the stream
 * name, each event's id, type and metadata, and (with a registry) its schema.
 */
export const checkAppend = (stream: unknown, events: readonly EventData[], registry?: EventSchemaRegistry): EventData[] => {
  checkStreamName(stream);
  if (!Array.isArray(events) || events.length === 0) throw new InvalidEventError('an append needs at least one event');
  const ids = new Set<string>();
  return events.map((event, index) => {
    const where = `event ${index} of the append to ${String(stream)}`;
    if (typeof event?.id !== 'string' || !isUuid(event.id)) throw new InvalidEventError(`${where}: id ${JSON.stringify(event?.id)} is not a uuid`);
    if (ids.has(event.id.toLowerCase())) throw new InvalidEventError(`${where}: id ${event.id} appears twice in one append`);
    ids.add(event.id.toLowerCase());
    if (typeof event.type !== 'string' || event.type.trim() === '') throw new InvalidEventError(`${where}: type must be a non-empty string`);
    if (event.data === undefined) throw new InvalidEventError(`${where}: data is missing`);
    const { correlationId, causationId } = event.metadata ?? {};
    if (typeof correlationId !== 'string' || typeof causationId !== 'string') {
      throw new InvalidEventError(`${where}: metadata needs correlationId and causationId`);
    }
    if (registry) return validateAgainstRegistry(registry, event);
    if (!Number.isInteger(event.metadata.schemaVersion)) throw new InvalidEventError(`${where}: metadata.schemaVersion must be a whole number`);
    return event;
  });
};
