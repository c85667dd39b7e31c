// The pure half of the EventStoreDB adapter: how Ordo's port and the client's types
// translate into each other. Nothing here talks to a server.
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamRecordedEvent,
  type AppendExpectedRevision,
  type EventData as EsdbEventData,
  type Filter,
  type FilterOptions,
  type JSONType,
  type MetadataType,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { InvalidEventError, WrongExpectedRevisionError } from '../errors';
import type { AllFilter, Checkpoint, EventData, EventMetadata, ExpectedRevision, PositionedEvent, RecordedEvent, Snapshot } from '../types';

/** Snapshots live in a stream of their own beside each event stream; readers of $all never see them. */
export const SNAPSHOT_STREAM_PREFIX = 'ordo-snapshot-';
export const SNAPSHOT_EVENT_TYPE = 'OrdoSnapshot';
export const snapshotStreamOf = (stream: string): string => `${SNAPSHOT_STREAM_PREFIX}${stream}`;

// ---- appending ----

export const toExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return expected;
  }
};

/** A checked Ordo event as the client sends it: JSON, keeping its id so a retry is idempotent. */
export const toEventData = (event: EventData, stream: string): EsdbEventData => {
  try {
    JSON.stringify([event.data, event.metadata]);
  } catch (error) {
    throw new InvalidEventError(`the events of the append to ${stream} cannot be stored as JSON: ${(error as Error).message}`);
  }
  // The client types data as an object, array or string, but sends whatever JSON.stringify
  // makes of it, so a number, boolean or null is stored as JSON too, as in PostgreSQL.
  const data = event.data as JSONType;
  return jsonEvent({ id: event.id.toLowerCase(), type: event.type, data, metadata: event.metadata });
};

/** The client's conflict becomes the port's; every other error is rethrown as it is. */
export const toStoreError = (error: unknown, stream: string, expected: ExpectedRevision): unknown =>
  error instanceof WrongExpectedVersionError
    ? new WrongExpectedRevisionError(stream, expected, error.actualVersion === NO_STREAM ? undefined : error.actualVersion)
    : error;

// ---- reading ----

const isMetadata = (value: unknown): value is EventMetadata => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The client parses JSON metadata itself and hands over bytes only when it could not;
 * either way Ordo's metadata object comes back unchanged. Anything else was not written
 * through this port, and guessing ids for it would break correlation downstream.
 */
export const toMetadata = (metadata: MetadataType | undefined, where: string): EventMetadata => {
  let parsed: unknown = metadata;
  if (metadata instanceof Uint8Array) {
    try {
      parsed = JSON.parse(new TextDecoder().decode(metadata));
    } catch {
      parsed = undefined;
    }
  }
  if (!isMetadata(parsed)) throw new InvalidEventError(`${where} has no Ordo metadata (a JSON object with correlationId, causationId and schemaVersion)`);
  return parsed;
};

/**
 * `commitPosition` is the resolved event's, for servers older than 22.6 that leave the
 * recorded event's position out of stream reads; -1 when neither is known.
 */
export const toRecorded = (event: EsdbRecordedEvent, commitPosition?: bigint): RecordedEvent => ({
  id: event.id,
  type: event.type,
  stream: event.streamId,
  revision: event.revision,
  position: event.position?.commit ?? commitPosition ?? -1n,
  data: event.data,
  metadata: toMetadata(event.metadata, `event ${event.id} at ${event.streamId}@${event.revision}`),
  recordedAt: event.created,
});

export const toPositioned = (event: AllStreamRecordedEvent): PositionedEvent => ({
  ...toRecorded(event),
  checkpoint: formatCheckpoint(event.position),
});

// ---- checkpoints: the commit and prepare positions of an event in $all ----

export const formatCheckpoint = ({ commit, prepare }: Position): Checkpoint => `${commit}:${prepare}`;

export const parseCheckpoint = (checkpoint: Checkpoint | undefined): Position | undefined => {
  if (checkpoint === undefined) return undefined;
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(checkpoint);
  if (!match?.[1] || !match[2]) throw new InvalidEventError(`'${checkpoint}' is not a checkpoint of the EventStoreDB event store`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
};

/** Whether `position` comes after `than` in $all. */
export const isAfter = (position: Position, than: Position): boolean =>
  position.commit > than.commit || (position.commit === than.commit && position.prepare > than.prepare);

// ---- filtering $all ----

/**
 * Whether an event of $all reaches a reader: never system events ($-prefixed streams or
 * types, e.g. metadata, links, statistics) nor this adapter's snapshots; then the filter.
 */
export const matchesFilter = (event: { streamId: string; type: string }, filter: AllFilter): boolean =>
  !event.streamId.startsWith('$') &&
  !event.type.startsWith('$') &&
  !event.streamId.startsWith(SNAPSHOT_STREAM_PREFIX) &&
  (filter.streamPrefixes?.some((prefix) => event.streamId.startsWith(prefix)) ?? true) &&
  (filter.eventTypes?.includes(event.type) ?? true);

/**
 * The server-side filter of a subscription. The server takes one filter, on either the
 * stream or the type, so it gets the types when there are any (usually the narrower
 * list) and the prefixes otherwise; `matchesFilter` then applies the whole filter. Type
 * prefixes match longer names too ('OrderPlaced' lets 'OrderPlacedV2' through), which
 * `matchesFilter` drops, but avoid escaping names into the server's regex dialect.
 */
export const toServerFilter = (filter: AllFilter, checkpointReached?: FilterOptions['checkpointReached']): Filter => {
  if (filter.eventTypes?.length) return eventTypeFilter({ prefixes: filter.eventTypes, checkpointReached });
  if (filter.streamPrefixes?.length) return streamNameFilter({ prefixes: filter.streamPrefixes, checkpointReached });
  return excludeSystemEvents({ checkpointReached });
};

// ---- snapshots ----

// A type, not an interface, so that it fits the client's JSON record type.
export type SnapshotData = {
  /** A string: JSON has no bigint. */
  revision: string;
  version: number;
  state: unknown;
};

export const toSnapshotData = ({ revision, version, state }: Snapshot): SnapshotData => ({ revision: String(revision), version, state });

/** A snapshot is a cache: one that cannot be read back is treated as missing, and the stream is replayed. */
export const fromSnapshotData = <S>(data: unknown): Snapshot<S> | undefined => {
  if (typeof data !== 'object' || data === null) return undefined;
  const { revision, version, state } = data as Partial<SnapshotData>;
  if (typeof revision !== 'string' || !/^\d{1,20}$/.test(revision) || typeof version !== 'number' || !Number.isInteger(version) || !('state' in data))
    return undefined;
  return { revision: BigInt(revision), version, state: state as S };
};
