import type { FastifyReply, FastifyRequest } from 'fastify';
import { expectedRevisionFromIfMatch, formatETag, notModified, parseETag, setETag } from './etag';
import { BadRequest, PreconditionFailed } from './problem';

const requestWith = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;
const order42 = { stream: 'order-42', revision: 3n };
const thrownBy = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('formatETag and parseETag', () => {
  it('writes the stream and revision as one strong tag', () => {
    expect(formatETag(order42)).toBe('"order-42:3"');
  });

  it.each([
    { stream: 'order-42', revision: 0n },
    { stream: 'orderPlacement-6f1c2b1e-8a7b-4c41-9f55-3f0d1c2a9e10', revision: 12n },
    { stream: 'stock-SKU:with:colons', revision: 5n },
    { stream: 'customer-1', revision: 2n ** 63n - 1n },
  ])('reads back what it wrote for $stream at $revision', (position) => {
    expect(parseETag(formatETag(position))).toEqual(position);
  });

  it('reads a weak tag, as a cache that weakened ours sends it, and ignores surrounding space', () => {
    expect(parseETag('W/"order-42:3"')).toEqual(order42);
    expect(parseETag('  "order-42:3"  ')).toEqual(order42);
  });

  it.each([
    '',
    '*',
    'order-42:3',
    '"order-42:3',
    '"order-42"',
    '":3"',
    '"order-42:"',
    '"order-42:x"',
    '"order-42:-1"',
    '"order-42:3.5"',
    'w/"order-42:3"',
    'W/ "order-42:3"',
  ])('reads %p as no Ordo ETag', (value) => {
    expect(parseETag(value)).toBeUndefined();
  });

  it('setETag puts the formatted tag on the reply', () => {
    const headers = new Map<string, string>();
    const reply = {
      header(name: string, value: string) {
        headers.set(name, value);
        return this;
      },
    } as unknown as FastifyReply;
    expect(setETag(reply, order42)).toBe(reply);
    expect(headers).toEqual(new Map([['etag', '"order-42:3"']]));
  });
});

describe('expectedRevisionFromIfMatch', () => {
  it('expects nothing when the client sent no If-Match', () => {
    expect(expectedRevisionFromIfMatch(requestWith(), 'order-42')).toBeUndefined();
  });

  it('expects the revision of an ETag of the stream', () => {
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': '"order-42:3"' }), 'order-42')).toBe(3n);
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': '"order-42:0"' }), 'order-42')).toBe(0n);
  });

  it('expects the stream to exist for *', () => {
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': '*' }), 'order-42')).toBe('stream_exists');
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': ' * ' }), 'order-42')).toBe('stream_exists');
  });

  it('finds the strong ETag of the stream in a list, with spaces and empty elements', () => {
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': '"order-43:1", "order-42:3"' }), 'order-42')).toBe(3n);
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': ' , "order-42:3",,"x"' }), 'order-42')).toBe(3n);
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': 'W/"order-42:2", "order-42:3"' }), 'order-42')).toBe(3n);
    expect(expectedRevisionFromIfMatch(requestWith({ 'if-match': '"a,b", "order-42:3"' }), 'order-42')).toBe(3n);
  });

  it.each([
    ['an ETag of another stream', '"order-43:3"'],
    ['an ETag of a stream whose name starts the same', '"order-4:3"'],
    ['a tag that is not an Ordo ETag', '"5d41402abc4b2a76"'],
    ['a weak ETag of the stream (strong comparison)', 'W/"order-42:3"'],
    ['a list of weak ETags', 'W/"order-42:3", W/"order-42:2"'],
  ])('fails the precondition (412) for %s', (_what, ifMatch) => {
    const error = thrownBy(() => expectedRevisionFromIfMatch(requestWith({ 'if-match': ifMatch }), 'order-42'));
    expect(error).toBeInstanceOf(PreconditionFailed);
    expect(error).toMatchObject({ status: 412, title: 'Precondition Failed', message: expect.stringContaining('order-42') });
  });

  it.each([
    ['garbage', 'not an etag'],
    ['an empty value', ''],
    ['an unquoted tag', 'order-42:3'],
    ['an unterminated tag', '"order-42:3'],
    ['a good tag then garbage', '"order-42:3" x'],
    ['a lower-case weak prefix', 'w/"order-42:3"'],
    ['a quote inside a tag', '"order-"42:3"'],
    ['several revisions of the stream', '"order-42:3", "order-42:4"'],
  ])('refuses %s with 400, never ignoring it', (_what, ifMatch) => {
    const error = thrownBy(() => expectedRevisionFromIfMatch(requestWith({ 'if-match': ifMatch }), 'order-42'));
    expect(error).toBeInstanceOf(BadRequest);
    expect(error).toMatchObject({ status: 400, extensions: { errors: [expect.objectContaining({ in: 'headers', path: '/if-match' })] } });
  });
});

describe('notModified', () => {
  it('is false when the client sent no If-None-Match', () => {
    expect(notModified(requestWith(), order42)).toBe(false);
  });

  it.each([
    ['the same tag', '"order-42:3"'],
    ['the same tag, weak', 'W/"order-42:3"'],
    ['a list holding it', '"order-42:1", "order-42:3"'],
    ['a list holding it, without spaces', '"order-42:2","order-42:3"'],
    ['*', '*'],
  ])('is true for %s', (_what, ifNoneMatch) => {
    expect(notModified(requestWith({ 'if-none-match': ifNoneMatch }), order42)).toBe(true);
  });

  it.each([
    ['an older revision', '"order-42:2"'],
    ['a newer revision', '"order-42:4"'],
    ['the same revision of another stream', '"order-43:3"'],
    ['a list without it', '"order-42:1", "order-43:3"'],
    ['garbage', 'nope'],
    ['an empty value', ''],
  ])('is false for %s', (_what, ifNoneMatch) => {
    expect(notModified(requestWith({ 'if-none-match': ifNoneMatch }), order42)).toBe(false);
  });
});
