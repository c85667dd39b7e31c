import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { env } from '@ordo/runtime';
import { parseETag, type StreamRevision } from './etag';
import { BadRequest, HttpProblem } from './problem';

// Read-your-writes for read models (docs/architecture.md, "Positions are per source"): a
// command answers with its position, (stream, revision), as its ETag; a query that sends it
// back in Read-After is answered once the view has applied that revision, or told how far
// behind the view is. It never gets older data without being told.

export const READ_AFTER_HEADER = 'read-after';

/** How long a query waits for its view by default, and how often it looks again. */
export const READ_AFTER_TIMEOUT_MS = 3000;
const POLL_INTERVAL_MS = 15;

/** A read model's configuration of Read-After (loadConfig): how long a query may wait, in ms. */
export const readAfterConfigShape = {
  READ_AFTER_TIMEOUT_MS: env.int().min(0, 'expected 0 or more').max(60_000, 'expected at most 60000').default(READ_AFTER_TIMEOUT_MS),
};

/** The view had not applied the revision asked for within the bound: 503, with how far behind it is. */
export class ReadModelBehind extends HttpProblem {
  readonly retryAfterSeconds = 1;
  constructor(wanted: StreamRevision, applied: bigint) {
    const behind = wanted.revision - applied;
    super(
      503,
      'Service Unavailable',
      `this view has applied ${wanted.stream} up to revision ${applied}, ${behind} behind the revision ${wanted.revision} asked for`,
      {
        stream: wanted.stream,
        wanted: Number(wanted.revision),
        applied: Number(applied),
        behind: Number(behind),
      },
    );
  }
}

/** The Read-After header's position, or undefined when the request has none; 400 when it is not an ETag a command answered. */
export const readAfterPosition = (request: FastifyRequest): StreamRevision | undefined => {
  const header = request.headers[READ_AFTER_HEADER];
  if (header === undefined) return undefined;
  const position = typeof header === 'string' ? parseETag(header) : undefined;
  if (!position)
    throw new BadRequest('Read-After is not a position', [
      { in: 'headers', path: '/read-after', message: 'expected the ETag a command answered with, such as "order-42:3"' },
    ]);
  return position;
};

export interface ReadAfterOptions {
  /**
   * How to read the revision the view has applied of a stream (-1n before any): undefined
   * for a stream the view does not hold, which answers 400.
   */
  appliedOf(stream: string): (() => Promise<bigint>) | undefined;
  /** How long to wait before answering 503. */
  timeoutMs: number;
}

/**
 * Waits, when the request carries Read-After, until the view has applied that position;
 * past the bound it throws ReadModelBehind (503). Without the header it returns at once.
 */
export const awaitReadAfter = async (request: FastifyRequest, { appliedOf, timeoutMs }: ReadAfterOptions): Promise<void> => {
  const wanted = readAfterPosition(request);
  if (!wanted) return;
  const applied = appliedOf(wanted.stream);
  if (!applied)
    throw new BadRequest(`this view holds no stream ${wanted.stream}`, [
      { in: 'headers', path: '/read-after', message: `${wanted.stream} is not a stream this view reads` },
    ]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const revision = await applied();
    if (revision >= wanted.revision) return;
    if (Date.now() >= deadline) throw new ReadModelBehind(wanted, revision);
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(1, deadline - Date.now())));
  }
};
