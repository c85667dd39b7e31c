import { EventTooLargeError, ForeignStreamError, InvalidEventError } from './errors';
import { isUuid } from './ids';
import { validateAgainstRegistry, type EventSchemaRegistry } from './registry';
import type { EventData, ExpectedRevision } from './types';

const MAX_STREAM_LENGTH = 512;

/**
 * Kafka refuses a message over 1 MiB by default (`message.max.bytes`); the relay sends
 * an event's data and metadata with its id, stream, type, positions and time, plus a key
 * and headers, so an event is held to a little less than that.
 */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;

/** What every adapter checks appends and streams against: set when the store is opened. */
export interface StoreLimits {
  registry?: EventSchemaRegistry;
  /** The streams the store owns; undefined: every stream. */
  streamPrefixes?: readonly string[];
  /** The largest event accepted, as the JSON of its data and metadata. */
  maxEventBytes: number;
}

/** Checks the options a store is opened with, so a typo fails at start, not on the first append. */
export const checkStoreLimits = (options: { registry?: EventSchemaRegistry; streamPrefixes?: readonly string[]; maxEventBytes?: number }): StoreLimits => {
  const { streamPrefixes, maxEventBytes = DEFAULT_MAX_EVENT_BYTES } = options;
  if (
    streamPrefixes !== undefined &&
    (!Array.isArray(streamPrefixes) || streamPrefixes.length === 0 || streamPrefixes.some((p) => typeof p !== 'string' || p === ''))
  ) {
    throw new InvalidEventError(`streamPrefixes must be a non-empty list of non-empty strings, not ${JSON.stringify(streamPrefixes)}`);
  }
  if (!Number.isInteger(maxEventBytes) || maxEventBytes <= 0)
    throw new InvalidEventError(`maxEventBytes must be a positive whole number, not ${String(maxEventBytes)}`);
  return { ...(options.registry && { registry: options.registry }), ...(streamPrefixes && { streamPrefixes }), maxEventBytes };
};

/** A stream name that is valid and belongs to the store. */
export const checkOwnedStream = (stream: unknown, streamPrefixes: readonly string[] | undefined): string => {
  const name = checkStreamName(stream);
  if (streamPrefixes && !streamPrefixes.some((prefix) => name.startsWith(prefix))) throw new ForeignStreamError(name, streamPrefixes);
  return name;
};

/** The size the bus will see of an event: its data and metadata as JSON, in UTF-8 bytes. */
const serialisedBytes = (event: EventData, stream: string): number => {
  let json: string;
  try {
    json = JSON.stringify([event.data, event.metadata]);
  } catch (error) {
    throw new InvalidEventError(`the events of the append to ${stream} cannot be stored as JSON: ${(error as Error).message}`);
  }
  return Buffer.byteLength(json, 'utf8');
};

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
 * name and owner, each event's id, type and metadata, (with a registry) its schema,
 * and its size.
 */
export const checkAppend = (stream: unknown, events: readonly EventData[], limits: StoreLimits): EventData[] => {
  checkOwnedStream(stream, limits.streamPrefixes);
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
    if (!limits.registry && !Number.isInteger(event.metadata.schemaVersion))
      throw new InvalidEventError(`${where}: metadata.schemaVersion must be a whole number`);
    const checked = limits.registry ? validateAgainstRegistry(limits.registry, event) : event;
    const bytes = serialisedBytes(checked, String(stream));
    if (bytes > limits.maxEventBytes) throw new EventTooLargeError(String(stream), checked.type, bytes, limits.maxEventBytes);
    return checked;
  });
};
