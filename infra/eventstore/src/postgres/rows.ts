import { InvalidEventError } from '../errors';
import type { Checkpoint, EventMetadata, PositionedEvent, RecordedEvent } from '../types';
import type { DbBigint } from './driver';

export interface EventRow {
  tx: string;
  position: DbBigint;
  stream: string;
  revision: DbBigint;
  id: string;
  type: string;
  /** JSON text: parsed by the reader (see EVENT_COLUMNS). */
  data: string;
  metadata: string;
  recorded_at: Date | string;
}

// Data and metadata come as JSON text and are parsed here, not by the driver: in embedded
// mode PGlite runs on a thread of its own, and text crosses to the main thread far more
// cheaply than the objects parsed from it (copying results back was a tenth of its time).
export const EVENT_COLUMNS =
  'transaction_id::text as tx, position, stream, revision, id::text as id, type, data::text as data, metadata::text as metadata, recorded_at';

export const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.id,
  type: row.type,
  stream: row.stream,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as EventMetadata,
  recordedAt: new Date(row.recorded_at),
});

/** This adapter's checkpoint: the writing transaction's id and the event's position. */
export const checkpointOf = (transactionId: string, position: bigint | string): string => `${transactionId}:${position}`;

// Built in one object: readAll maps a million rows, and a spread copy per row shows.
export const toPositioned = (row: EventRow): PositionedEvent => {
  const position = BigInt(row.position);
  return {
    id: row.id,
    type: row.type,
    stream: row.stream,
    revision: BigInt(row.revision),
    position,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    checkpoint: checkpointOf(row.tx, position),
  };
};

export const parseCheckpoint = (checkpoint: Checkpoint | undefined): { transactionId: string; position: string } => {
  if (checkpoint === undefined) return { transactionId: '0', position: '0' };
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(checkpoint);
  if (!match?.[1] || !match[2]) throw new InvalidEventError(`'${checkpoint}' is not a checkpoint of the PostgreSQL event store`);
  return { transactionId: match[1], position: match[2] };
};

/** LIKE patterns that match streams starting with each prefix, taken literally. */
export const prefixPatterns = (prefixes: readonly string[]): string[] => prefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);

/**
 * A checkpoint's place in the reading order, (transaction id, position), as one number:
 * both are below 2^64, so the later checkpoint has the greater key.
 */
export const readingOrderKey = (checkpoint: Checkpoint): bigint => {
  const { transactionId, position } = parseCheckpoint(checkpoint);
  return (BigInt(transactionId) << 64n) + BigInt(position);
};
