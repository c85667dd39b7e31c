import type { ExpectedRevision } from './types';

/** The stream was not at the revision the append expected. `actual` is undefined for no stream. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | undefined,
  ) {
    super(`stream ${stream} is at ${actual === undefined ? 'no stream' : `revision ${actual}`}, not ${String(expected)} as expected`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An append or read that was malformed: nothing was written. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/**
 * One event is larger than the bus can carry: published as it is, it would stop the
 * relay at that event for good. Refused at append time instead, with nothing stored.
 */
export class EventTooLargeError extends InvalidEventError {
  constructor(
    readonly stream: string,
    readonly type: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`event ${type} of the append to ${stream} is ${bytes} bytes as JSON (data and metadata), more than this store's maxEventBytes of ${maxBytes}`);
    this.name = 'EventTooLargeError';
  }
}

/** A stream outside the prefixes the store was opened with: it belongs to another context. */
export class ForeignStreamError extends InvalidEventError {
  constructor(
    readonly stream: string,
    readonly streamPrefixes: readonly string[],
  ) {
    super(`stream ${stream} is not this store's: it owns only streams starting with ${streamPrefixes.map((p) => `'${p}'`).join(', ')}`);
    this.name = 'ForeignStreamError';
  }
}
