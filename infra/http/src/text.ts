import { z } from 'zod';

/**
 * No control characters, and no U+FFFD, which is what bytes that were not UTF-8 decode to
 * (NUL and lone surrogates the JSON body parser refuses itself).
 */
const PRINTABLE = /^[^\p{Cc}\p{Cs}\uFFFD]*$/u;

/**
 * Free text a request may carry (a name, a carrier, an address line): trimmed, between
 * `min` and `max` characters, and printable, so what is stored can be shown and printed.
 */
export const printableText = (min: number, max: number) =>
  z.string().trim().min(min).max(max).regex(PRINTABLE, 'must not hold control characters or undecodable bytes');
