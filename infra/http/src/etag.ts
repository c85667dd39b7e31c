import type { FastifyReply, FastifyRequest } from 'fastify';
import { PreconditionFailed } from './problem';

/**
 * An ETag is the read-your-writes token of DESIGN.md: the stream and the revision a
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

/**
 * The revision a write must expect, from If-Match: undefined when the client sent
 * none, 'stream_exists' for `*`, else the revision of its ETag. An ETag of another
 * stream, or one that is not an Ordo ETag, fails the precondition (412).
 */
export const expectedRevisionFromIfMatch = (request: FastifyRequest, stream: string): bigint | 'stream_exists' | undefined => {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  if (header.trim() === '*') return 'stream_exists';
  const tag = parseETag(header);
  if (!tag || tag.stream !== stream) {
    throw new PreconditionFailed(`If-Match ${header} does not name a revision of ${stream}`);
  }
  return tag.revision;
};

/** True when the client's If-None-Match already names this revision: answer 304. */
export const notModified = (request: FastifyRequest, position: StreamRevision): boolean => {
  const header = request.headers['if-none-match'];
  return header !== undefined && header.split(',').some((tag) => tag.trim() === '*' || parseETag(tag)?.revision === position.revision && parseETag(tag)?.stream === position.stream);
};
