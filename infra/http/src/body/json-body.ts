import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { BadRequest, HttpProblem, type FieldError } from '../problem';

class UnsupportedMediaType extends HttpProblem {
  constructor(detail: string) {
    super(415, 'Unsupported Media Type', detail);
  }
}

const pointerSegment = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Strings a database or another service would refuse or mangle: NUL, and UTF-16 halves
// that JSON's \u escapes can produce but no UTF-8 text can hold.
const unsafeText = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate';
  return undefined;
};

/** Every string (values and keys) that cannot be stored as text, by JSON pointer. */
export const unsafeStrings = (value: unknown, path = ''): FieldError[] => {
  if (typeof value === 'string') {
    const why = unsafeText(value);
    return why ? [{ in: 'body', path: path || '/', message: why }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => unsafeStrings(item, `${path}/${index}`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => {
      const where = `${path}/${pointerSegment(key)}`;
      const why = unsafeText(key);
      return [...(why ? [{ in: 'body' as const, path: where, message: `its name ${why}` }] : []), ...unsafeStrings(item, where)];
    });
  }
  return [];
};

const charsetOf = (contentType: string): string | undefined => /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();

/**
 * The only body type a JSON route reads is application/json in UTF-8. Anything else,
 * text/plain included, is 415, so a cross-site form post never reaches a command route.
 * Keys that could alter prototypes, NUL and lone surrogates are refused with a 400
 * that says so, before validation.
 */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const charset = charsetOf(request.headers['content-type'] ?? '');
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        done(new UnsupportedMediaType(`JSON bodies must be UTF-8, not ${charset}`), undefined);
        return;
      }
      const text = String(body);
      if (text.trim() === '') {
        done(new BadRequest('the body is empty; send a JSON value or no Content-Type'), undefined);
        return;
      }
      let value: unknown;
      try {
        value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      } catch (error) {
        const forbidden = error instanceof SyntaxError && /forbidden prototype property/i.test(error.message);
        done(
          new BadRequest(
            forbidden
              ? 'the body has a "__proto__" or "constructor.prototype" key, which is refused because it could alter object prototypes'
              : 'the body is not valid JSON',
          ),
          undefined,
        );
        return;
      }
      const unsafe = unsafeStrings(value);
      if (unsafe.length > 0) {
        done(new BadRequest('the body has text that cannot be stored', unsafe), undefined);
        return;
      }
      done(null, value);
    });
    // Any other declared type: 415 before a handler runs.
    app.addContentTypeParser('*', (request, _payload, done) => {
      done(new UnsupportedMediaType(`this service reads application/json bodies, not ${request.headers['content-type'] ?? 'none'}`), undefined);
    });
  },
  { name: 'ordo-json-body' },
);
