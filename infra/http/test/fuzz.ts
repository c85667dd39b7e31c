// Generators and checks for fuzzing an Ordo service over HTTP, shared by every
// service's fuzz test: text that breaks naive handlers (NUL, lone surrogates, bad
// encodings), raw-socket exchanges, the check that an error answer is problem+json, and
// the check that a route's OpenAPI document lists each status it answered.
import net from 'node:net';
import fc from 'fast-check';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

// fetch only takes header values it can send as bytes: visible ASCII, spaces inside.
export const visibleChar = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
export const visible = (minLength: number, maxLength: number) => fc.string({ unit: visibleChar, minLength, maxLength });
export const headerValue = (maxLength = 60) =>
  fc.string({ unit: fc.oneof({ arbitrary: visibleChar, weight: 9 }, { arbitrary: fc.constant(' '), weight: 1 }), maxLength });
export const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });

// Path and query pieces: plain, reserved, percent-encoded, malformed encodings, non-ASCII, dot segments.
export const ENCODED = ['%20', '%2F', '%2e', '%2E%2E', '%00', '%ff', '%C3%A9', '%', '%z', '%zz', '%E0%A4%A', '%uD800', '..', '.', 'é', '😀', '\u0007'];
export const segment = fc.string({ unit: fc.oneof(fc.constantFrom(..."abcxyz019-._~!$&'()*+,;=:@"), fc.constantFrom(...ENCODED)), maxLength: 12 });
export const queryText = fc.string({ unit: fc.oneof(fc.constantFrom(...'az09-_.~+=&[]{}"\'<>|^`\\/'), fc.constantFrom(...ENCODED)), maxLength: 16 });
export const queryValue = fc.oneof(
  fc.constantFrom('0', '1', '20', '100', '101', '-1', '1.5', '1e2', '0x10', 'NaN', 'Infinity', '', 'true', 'null'),
  fc.integer().map(String),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  queryText,
);
export const queryPair = fc.oneof(
  fc.tuple(fc.oneof(fc.constantFrom('limit', 'tag', 'id', '__proto__', 'constructor'), queryText), queryValue).map(([key, value]) => `${key}=${value}`),
  queryText, // a key without '='
);
/** Pairs, some of them repeated, so a key can arrive more than once. */
export const query = fc
  .tuple(fc.array(queryPair, { maxLength: 5 }), fc.nat({ max: 3 }), fc.constantFrom('&', '&&', ';'))
  .map(([pairs, repeats, separator]) => [...pairs, ...pairs.slice(0, repeats)].join(separator));

/**
 * The route a path reaches once fetch has normalised it and the router has decoded it. The
 * router splits the path at its slashes before it decodes a segment, so an encoded slash
 * (%2F) stays inside its segment: decoded, it would make two segments of one, and the path
 * would seem to reach a route the router never matched it to.
 */
export const routeOf = (path: string) => {
  const decoded = (segment: string) => {
    try {
      return decodeURIComponent(segment).replaceAll('/', '%2F');
    } catch {
      return segment;
    }
  };
  return new URL(`http://fuzz${path}`).pathname.split('/').map(decoded).join('/');
};

/** Text that no store should receive: a NUL, or half of a UTF-16 surrogate pair, among ordinary characters. */
export const unsafeText = (maxLength = 40) =>
  fc
    .tuple(fc.string({ maxLength }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', 'a\u0000b', '\udc00\ud800'), fc.string({ maxLength }))
    .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Some strings unsafe, most ordinary: for a field that must refuse the first kind with a 400. */
export const textOrUnsafe = (maxLength = 40) => fc.oneof({ arbitrary: fc.string({ maxLength }), weight: 3 }, { arbitrary: unsafeText(maxLength), weight: 1 });

/** Header values as bytes (latin1) a client could put on the wire: NUL, control characters, and the WTF-8 bytes of lone surrogates. */
export const rawUnsafeHeaderValues = ['a\u0000b', '\u0000', '\xed\xa0\x80', 'x\xed\xb0\x80y', 'x\u0001y', '\u007f'];

/** Latin-1 text as bytes: every byte value, including the ones HTTP forbids. */
export const anyByte = fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code));
/**
 * Writes the bytes, then half-closes (or resets, as a client that dies does), and resolves
 * with what came back before the server closed or 3 s passed.
 */
export const exchangeRaw = (url: string, chunks: (string | Buffer)[], ending: 'end' | 'reset' = 'end') =>
  new Promise<string>((resolve) => {
    const { hostname, port } = new URL(url);
    const received: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => {
      for (const chunk of chunks) socket.write(chunk);
      if (ending === 'end') socket.end();
      else setTimeout(() => socket.resetAndDestroy(), 100);
    });
    socket.setTimeout(3_000, () => socket.destroy());
    socket.on('data', (data) => received.push(data));
    socket.on('error', () => undefined); // a reset is an answer too: the checks after it tell whether the service survived
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
  });

export const statusCodes = (answer: string) => [...answer.matchAll(/^HTTP\/\d\.\d (\d{3})/gm)].map((match) => Number(match[1]));
/** Each response in a raw answer (pipelined ones included): its status and headers, lower-cased names. */
export const rawResponses = (answer: string) =>
  [...answer.matchAll(/^HTTP\/\d\.\d (\d{3})[^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/gm)].map((match) => ({
    status: Number(match[1]),
    headers: Object.fromEntries(
      (match[2] ?? '')
        .split('\r\n')
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    ),
  }));

/** Why an answer breaks the error contract, or undefined: every 4xx and 5xx is application/problem+json. */
export const problemContractViolation = (status: number, contentType: string | null | undefined, method = 'GET'): string | undefined => {
  if (status < 400) return undefined;
  if (/^application\/problem\+json(;|$)/.test(contentType ?? '')) return undefined;
  // A HEAD answer carries no body; fastify still names the type of the GET answer.
  return method === 'HEAD' && contentType == null ? undefined : `answered ${status} as ${contentType ?? 'no content type'}, not application/problem+json`;
};

/** An OpenAPI document as the checks read it: `server.swagger()`, or what /docs/json serves. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
}

/** A route as fastify writes it (`/v1/orders/:id`), as OpenAPI does (`/v1/orders/{id}`). */
export const openApiPath = (route: string) => route.replace(/:(\w+)/g, '{$1}');

/**
 * Why an answer of a route is not what its OpenAPI document promises, or undefined: its
 * status must be documented, and an error status as problem+json.
 */
export const undocumentedAnswer = (document: OpenApiDocument, route: { method: string; route: string }, status: number): string | undefined => {
  const responses = document.paths[openApiPath(route.route)]?.[route.method.toLowerCase()]?.responses;
  if (!responses) return `${route.method} ${route.route} is not in its OpenAPI document`;
  const documented = responses[String(status)];
  if (!documented)
    return `${route.method} ${route.route} answered ${status}, which its OpenAPI document does not list (it lists ${Object.keys(responses).join(', ')})`;
  if (status >= 400 && !Object.keys(documented.content ?? {}).includes('application/problem+json'))
    return `${route.method} ${route.route} documents ${status} without problem+json`;
  return undefined;
};
