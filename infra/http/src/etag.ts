import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequest, PreconditionFailed } from './problem';

/**
 * An ETag is the read-your-writes token of docs/architecture.md: the stream and the revision a
 * response reflects, `"order-42:3"`. A client sends it back in If-Match to update only
 * what it saw, or to a query to wait until a read model has caught up with it.
 */
export interface StreamRevision {
  stream: string;
  revision: bigint;
}

export const formatETag = ({ stream, revision }: StreamRevision): string => `"${stream}:${revision}"`;

export const parseETag = (value: string): StreamRevision | undefined => {
  const match = /^(?:W\/)?"(.+):(\d+)"$/.exec(value.trim());
  return match?.[1] && match[2] ? { stream: match[1], revision: BigInt(match[2]) } : undefined;
};

export const setETag = (reply: FastifyReply, position: StreamRevision): FastifyReply => reply.header('etag', formatETag(position));

interface EntityTag {
  weak: boolean;
  opaque: string;
}

// RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc being visible
// characters but DQUOTE, and obs-text; lists may have empty elements and spaces.
const LIST_ELEMENT = /^[ \t]*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)/;

/** The entity-tags of an If-Match or If-None-Match list; undefined when it is malformed. */
export const parseEntityTags = (header: string): EntityTag[] | undefined => {
  const tags: EntityTag[] = [];
  let rest = header;
  while (rest.trim() !== '') {
    const empty = /^[ \t]*,/.exec(rest);
    if (empty) {
      rest = rest.slice(empty[0].length);
      continue;
    }
    const match = LIST_ELEMENT.exec(rest);
    if (!match) return undefined;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    rest = rest.slice(match[0].length);
  }
  return tags.length > 0 ? tags : undefined;
};

const revisionOf = (tag: EntityTag, stream: string): bigint | undefined => {
  const match = /^(.+):(\d+)$/.exec(tag.opaque);
  return match?.[1] === stream && match[2] ? BigInt(match[2]) : undefined;
};

/**
 * The revision a write must expect, from If-Match: undefined when the client sent
 * none, 'stream_exists' for `*`, else the revision its strong ETag names. The strong
 * comparison of RFC 9110 applies: a weak ETag never matches, so it fails the
 * precondition (412), as does a list naming no revision of this stream. A malformed
 * If-Match is 400, never ignored. A list naming several revisions of the stream is
 * 400 too: one append can expect only one of them.
 */
export const expectedRevisionFromIfMatch = (request: FastifyRequest, stream: string): bigint | 'stream_exists' | undefined => {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  if (header.trim() === '*') return 'stream_exists';
  const tags = parseEntityTags(header);
  if (!tags) {
    throw new BadRequest('If-Match must be * or a list of entity-tags ("…" or W/"…")', [
      { in: 'headers', path: '/if-match', message: 'is not a list of entity-tags' },
    ]);
  }
  const revisions = [
    ...new Set(
      tags
        .filter((tag) => !tag.weak)
        .map((tag) => revisionOf(tag, stream))
        .filter((revision) => revision !== undefined),
    ),
  ];
  if (revisions.length > 1) {
    throw new BadRequest(`If-Match names several revisions of ${stream}; send the one the change is based on`, [
      { in: 'headers', path: '/if-match', message: 'names several revisions' },
    ]);
  }
  const [revision] = revisions;
  if (revision === undefined) {
    const weak = tags.some((tag) => tag.weak) ? ' (a weak ETag never matches If-Match)' : '';
    throw new PreconditionFailed(`If-Match ${header} names no revision of ${stream}${weak}`);
  }
  return revision;
};

/** True when the client's If-None-Match already names this revision: answer 304. */
export const notModified = (request: FastifyRequest, position: StreamRevision): boolean => {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  // Weak comparison (RFC 9110 13.1.2); a malformed header is ignored: the full answer is safe.
  return (parseEntityTags(header) ?? []).some((tag) => revisionOf(tag, position.stream) === position.revision);
};
