// Keyset pagination's cursors: the last item's sort key, opaque to clients (base64url JSON),
// checked when read back, so a list answers a cursor it did not make with a 400 naming `after`.
import type { z } from 'zod';
import { BadRequest } from './problem';

export interface KeysetCursor<Key> {
  /** The cursor a page's `next` carries. */
  write(key: Key): string;
  /** The key a client's `after` names; a 400 for anything this list did not answer with. */
  read(cursor: string): Key;
}

export const keysetCursor = <Key>(schema: z.ZodType<Key>): KeysetCursor<Key> => ({
  write: (key) => Buffer.from(JSON.stringify(key)).toString('base64url'),
  read: (cursor) => {
    try {
      return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    } catch {
      throw new BadRequest('the cursor is not one this list answered with', [
        { in: 'querystring', path: '/after', message: 'expected the `next` of an earlier page' },
      ]);
    }
  },
});
