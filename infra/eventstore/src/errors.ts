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
