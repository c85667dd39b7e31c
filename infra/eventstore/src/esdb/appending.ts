// How the EventStoreDB adapter appends without ever storing a repeated event, and
// without a window between its read and its write. Pure: the store does the I/O.
//
// The server's own idempotency (its IndexWriter's commit check) is not enough:
// - at a specific expected revision E (`no_stream` is E = -1) it compares the ids only
//   with the events at E+1, E+2, ...: a retry at the same E is answered as the first
//   write was, but a repeat sent at the current revision is stored again;
// - at `any` and `stream_exists` it looks the ids up in a bounded in-memory cache of
//   recently written event ids (emptied by a restart): a repeat of an older append is
//   stored again.
// So the adapter reads which ids the stream holds and appends at the exact revision it
// read to. If anything was written since, the server refuses (or, for the very same
// events written by a concurrent retry, answers idempotently), and nothing can slip in
// between the read and the write.
import { InvalidEventError, WrongExpectedRevisionError } from '../errors';
import type { AppendResult, ExpectedRevision } from '../types';

/** What a read of a stream found: its last revision (undefined: no stream) and every event id in it. */
export interface ScannedStream {
  revision: bigint | undefined;
  ids: ReadonlySet<string>;
}

export const EMPTY_STREAM: ScannedStream = { revision: undefined, ids: new Set() };

/**
 * The answer to an append whose events are all in the stream already (nothing is
 * written), undefined when none is, and an error when only some are: a batch is
 * repeated whole or not at all, so a partial overlap is a caller's mistake.
 */
export const repeatedAppend = (scanned: ScannedStream, ids: readonly string[], stream: string): AppendResult | undefined => {
  const stored = ids.filter((id) => scanned.ids.has(id)).length;
  if (stored === 0) return undefined;
  if (stored < ids.length) throw new InvalidEventError(`the append to ${stream} repeats some, not all, of the events already stored in it`);
  return { nextExpectedRevision: scanned.revision ?? -1n, written: false };
};

/**
 * The revision to send with the append: where the stream was read to, once the
 * caller's expectation is checked against it. `undefined` means no stream.
 */
export const guardedRevision = (stream: string, expected: ExpectedRevision, current: bigint | undefined): bigint | undefined => {
  const conflict = () => new WrongExpectedRevisionError(stream, expected, current);
  switch (expected) {
    case 'any':
      return current;
    case 'no_stream':
      if (current !== undefined) throw conflict();
      return undefined;
    case 'stream_exists':
      if (current === undefined) throw conflict();
      return current;
    default:
      if (current !== expected) throw conflict();
      return current;
  }
};
