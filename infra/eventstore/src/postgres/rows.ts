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
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date | string;
}

export const EVENT_COLUMNS = 'transaction_id::text as tx, position, stream, revision, id::text as id, type, data, metadata, recorded_at';

export const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.id,
  type: row.type,
  stream: row.stream,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  data: row.data,
  metadata: row.metadata,
  recordedAt: new Date(row.recorded_at),
});

// Built in one object: readAll maps a million rows, and a spread copy per row shows.
export const toPositioned = (row: EventRow): PositionedEvent => {
  const position = BigInt(row.position);
  return {
    id: row.id,
    type: row.type,
    stream: row.stream,
    revision: BigInt(row.revision),
    position,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
    // This adapter's checkpoint: the writing transaction's id and the event's position.
    checkpoint: `${row.tx}:${position}`,
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
