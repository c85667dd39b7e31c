import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { testScope } from '@ordo/testing';
import {
  anyByte,
  exchangeRaw,
  headerValue,
  hex,
  METHODS,
  problemContractViolation,
  query,
  rawResponses,
  rawUnsafeHeaderValues,
  routeOf,
  segment,
  statusCodes,
  textOrUnsafe,
  visible,
  visibleChar,
} from '../fuzz';
import { exampleEnv, startExample, type ExampleProcess } from './process';

const scope = testScope();

/** A downstream for /publish that always accepts, so publishing never answers 503. */
const startDownstream = async () => {
  const server = http.createServer((request, response) => request.resume().on('end', () => response.writeHead(204).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/publish`, close: () => new Promise((resolve) => server.close(resolve)) };
};

// ---- requests through fetch ------------------------------------------------

interface FuzzRequest {
  method: (typeof METHODS)[number];
  target: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const etag = (noteIds: string[]) =>
  fc.oneof(
    fc.constantFrom('*', '', '""', 'W/', '"note-:1"', '"note-x:-1"', '"a:1", "b:2"'),
    fc
      .tuple(fc.constantFrom('', 'W/'), fc.constantFrom(...noteIds), fc.bigInt({ min: -1n, max: 2n ** 80n }))
      .map(([weak, id, revision]) => `${weak}"note-${id}:${revision}"`),
    headerValue(),
  );

const validNote = fc
  .record(
    {
      title: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
      body: fc.string({ unit: 'binary', maxLength: 300 }),
      tags: fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 10 }),
    },
    { requiredKeys: ['title', 'body'] },
  )
  .map((note) => JSON.stringify(note));
/** Note-shaped, with wrong types, missing fields and extra keys. */
const noteFields = {
  title: fc.oneof(fc.string({ maxLength: 210 }), textOrUnsafe(), fc.integer(), fc.constant(null), fc.array(fc.string())),
  body: fc.oneof(fc.string({ unit: 'binary', maxLength: 100 }), textOrUnsafe(100), fc.boolean(), fc.double()),
  tags: fc.oneof(fc.array(fc.string({ maxLength: 35 }), { maxLength: 12 }), fc.array(textOrUnsafe(30), { maxLength: 3 }), fc.string(), fc.constant(null)),
};
const noteLike = fc
  .tuple(fc.record(noteFields, { requiredKeys: [] }), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 2 }))
  .map(([note, extra]) => JSON.stringify({ ...note, ...extra }));
const anyBody = fc.oneof(
  fc.json(),
  validNote,
  noteLike,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', '{', '[]', 'null', 'x'.repeat(70 * 1024)),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;',
  'application/problem+json',
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  ';',
  '*/*',
];
const TOKENS = ['Bearer writer-token', 'Bearer operator-token', 'Bearer admin-token'];
const AUTHORIZATIONS = [...TOKENS, 'bearer writer-token', 'Bearer', 'Bearer writer-token extra', 'Basic d3JpdGVyLXRva2Vu'];

const requests = (noteIds: string[]): fc.Arbitrary<FuzzRequest> => {
  const knownId = fc.constantFrom(...noteIds);
  const id = fc.oneof(knownId, fc.uuid(), segment);
  const path = fc
    .oneof(
      {
        arbitrary: fc.constantFrom(
          '',
          '/',
          '/v1/notes',
          '/v1/notes/',
          '/v1/admin/stats',
          '/health/live',
          '/health/ready',
          '/metrics',
          '/docs',
          '/docs/json',
          '/docs/yaml',
        ),
        weight: 3,
      },
      { arbitrary: fc.tuple(id, fc.constantFrom('', '/publish')).map(([value, suffix]) => `/v1/notes/${value}${suffix}`), weight: 3 },
      {
        arbitrary: fc
          .tuple(fc.constantFrom('/', '/v1/', '/v1/notes/', '/docs/', '/docs/static/', '/health/'), fc.array(segment, { maxLength: 5 }))
          .map(([prefix, segments]) => prefix + segments.join('/')),
        weight: 3,
      },
      {
        arbitrary: fc
          .tuple(fc.constantFrom('/v1/notes/', '/docs/static/', '/'), fc.integer({ min: 1_000, max: 20_000 }))
          .map(([prefix, length]) => prefix + 'a'.repeat(length)),
        weight: 1,
      },
    )
    // /v1/boom is the one deliberate 500; /v1/slow only with a short wait, below.
    .filter((candidate) => !/^\/v1\/(boom|slow)\/?$/.test(routeOf(candidate)));
  const target = fc.oneof(
    { arbitrary: fc.tuple(path, fc.option(query, { nil: undefined })).map(([p, q]) => (q === undefined ? p : `${p}?${q}`)), weight: 19 },
    { arbitrary: fc.tuple(fc.integer({ min: 0, max: 20 }), query).map(([ms, q]) => `/v1/slow?ms=${ms}${q && `&${q}`}`), weight: 1 },
  );
  const otherHeaders = fc.record(
    {
      'idempotency-key': fc.oneof(fc.constantFrom('fuzz-1', 'fuzz-2'), visible(1, 255), visible(256, 400), headerValue()),
      'if-match': etag(noteIds),
      'if-none-match': etag(noteIds),
      'x-correlation-id': fc.oneof(visible(1, 128), headerValue(200)),
      traceparent: fc.oneof(
        fc.tuple(fc.constantFrom('00', '01', 'ff', 'zz'), hex(32), hex(16), fc.constantFrom('00', '01', 'ff', 'x')).map((parts) => parts.join('-')),
        fc.constantFrom('00-00000000000000000000000000000000-0000000000000000-01', '00--', '-'),
        headerValue(),
      ),
    },
    { requiredKeys: [] },
  );
  const withOtherHeaders = (headers: fc.Arbitrary<Record<string, string>>) => fc.tuple(headers, otherHeaders).map(([some, other]) => ({ ...some, ...other }));

  const anything = fc.record({
    method: fc.constantFrom(...METHODS),
    target,
    headers: withOtherHeaders(
      fc.record(
        {
          'content-type': fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerValue(40)),
          authorization: fc.oneof(fc.constantFrom(...AUTHORIZATIONS), headerValue()),
        },
        { requiredKeys: [] },
      ),
    ),
    body: fc.option(anyBody, { nil: undefined }),
  });
  // Gets past auth and content negotiation, so writes, idempotency and If-Match are reached too.
  const nearlyValid = fc.record({
    method: fc.constantFrom('POST', 'PUT', 'GET'),
    target: fc.oneof(
      fc.constant('/v1/notes'),
      fc.tuple(knownId, fc.constantFrom('', '/publish')).map(([value, suffix]) => `/v1/notes/${value}${suffix}`),
    ),
    headers: withOtherHeaders(fc.record({ 'content-type': fc.constant('application/json'), authorization: fc.constantFrom(...TOKENS) })),
    body: fc.oneof(validNote, noteLike),
  });
  return fc
    .oneof({ arbitrary: anything, weight: 2 }, { arbitrary: nearlyValid, weight: 1 })
    .map((request): FuzzRequest => (request.method === 'GET' || request.method === 'HEAD' ? { ...request, body: undefined } : request)); // fetch sends no body on these
};

// ---- requests on a raw socket -----------------------------------------------

const POST_NOTE = 'POST /v1/notes HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer writer-token\r\nContent-Type: application/json\r\n';

const MALFORMED: [string, string[]][] = [
  ['a garbage request line', ['GARBAGE\r\n\r\n']],
  ['a request line without a version', ['GET /v1/notes\r\n\r\n']],
  ['an unknown HTTP version', ['GET /v1/notes HTTP/9.9\r\nHost: fuzz\r\n\r\n']],
  ['an unknown method', ['FROB /v1/notes HTTP/1.1\r\nHost: fuzz\r\n\r\n']],
  ['an asterisk target', ['GET * HTTP/1.1\r\nHost: fuzz\r\n\r\n']],
  ['an absolute-form target', ['GET http://elsewhere/v1/notes HTTP/1.1\r\nHost: fuzz\r\n\r\n']],
  ['a malformed percent-encoding in the path', ['GET /v1/notes/%E0%A4%A HTTP/1.1\r\nHost: fuzz\r\n\r\n']],
  ['no Host header', ['GET /v1/notes HTTP/1.1\r\n\r\n']],
  ['a header line without a colon', ['GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\nBad Header\r\n\r\n']],
  ['a header without a name', ['GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\n: value\r\n\r\n']],
  ['a control character in a header value', ['GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\nX-A: a\u0000b\r\n\r\n']],
  ['an Expect it cannot meet', ['GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\nExpect: 200-ok\r\n\r\n']],
  ['headers that never end', ['GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\n']],
  ['headers over 16 KiB', [`GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]],
  ['a Content-Length longer than the body, then close', [`${POST_NOTE}Content-Length: 100\r\n\r\n`, '{"title":']],
  ['a negative Content-Length', [`${POST_NOTE}Content-Length: -1\r\n\r\n{}`]],
  ['two different Content-Lengths', [`${POST_NOTE}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`]],
  ['both Content-Length and chunked', [`${POST_NOTE}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`]],
  ['a chunk size that is not hex', [`${POST_NOTE}Transfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`]],
  ['a chunk longer than its size', [`${POST_NOTE}Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n`]],
  ['a chunked body cut off mid-chunk', [`${POST_NOTE}Transfer-Encoding: chunked\r\n\r\n10\r\n{"ti`]],
  ['an unknown transfer coding', [`${POST_NOTE}Transfer-Encoding: gzip\r\n\r\n{}`]],
  ['two pipelined requests, the second garbage', ['GET /health/live HTTP/1.1\r\nHost: fuzz\r\n\r\nGET /\u0001 HTTP/1.1\r\n\r\n']],
  ['an HTTP/2 preface', ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n']],
  ...rawUnsafeHeaderValues.map((value): [string, string[]] => [
    `a header value ${JSON.stringify(value)}`,
    [`GET /v1/notes HTTP/1.1\r\nHost: fuzz\r\nIdempotency-Key: ${value}\r\n\r\n`],
  ]),
  ...rawUnsafeHeaderValues.map((value): [string, string[]] => [
    `a JSON body holding ${JSON.stringify(value)}`,
    [
      `POST /v1/drafts HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(JSON.stringify({ title: value }), 'latin1')}\r\n\r\n${JSON.stringify({ title: value })}`,
    ],
  ]),
  [
    'a JSON body with an escaped lone surrogate',
    [`POST /v1/drafts HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n{"title":"\\ud800"}`],
  ],
];

/** Every error in a raw answer is problem+json. */
const expectProblemErrors = (answer: string) => {
  for (const { status, headers } of rawResponses(answer)) expect(problemContractViolation(status, headers['content-type'])).toBeUndefined();
};

const rawRequests = fc
  .record({
    requestLine: fc.oneof(
      fc
        .tuple(
          fc.constantFrom(...METHODS, 'CONNECT', 'TRACE', 'PROPFIND', 'FROB', ''),
          fc.string({ unit: fc.oneof(visibleChar, anyByte), maxLength: 40 }),
          fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/', ''),
        )
        .map((parts) => parts.join(' ')),
      fc.string({ unit: anyByte, maxLength: 60 }),
    ),
    headerLines: fc.array(
      fc.oneof(
        fc.tuple(visible(0, 20), fc.string({ unit: anyByte, maxLength: 40 })).map(([name, value]) => `${name}: ${value}`),
        fc.string({ unit: anyByte, maxLength: 40 }),
      ),
      { maxLength: 5 },
    ),
    body: fc.string({ unit: anyByte, maxLength: 100 }),
  })
  .map(({ requestLine, headerLines, body }) => [requestLine, ...headerLines, '', body].join('\r\n'));

// ---- the properties ---------------------------------------------------------

describe('the example service under random and malformed requests', () => {
  let service: ExampleProcess;
  let downstream: Awaited<ReturnType<typeof startDownstream>>;
  const noteIds: string[] = [];

  const expectAlive = async () => {
    expect(() => process.kill(service.pid, 0)).not.toThrow();
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
  };

  beforeAll(async () => {
    await scope.db(); // creates the schema, which the scope drops afterwards
    downstream = await startDownstream();
    // Far more requests than a client may make in production: the limit is not what is fuzzed.
    service = await startExample(exampleEnv(scope.env.databaseUrl, scope.schema, { PUBLISH_URL: downstream.url, RATE_LIMIT_MAX: '1000000' }));
    for (const title of ['one', 'two']) {
      const created = await fetch(`${service.url}/v1/notes`, {
        method: 'POST',
        headers: { authorization: 'Bearer writer-token', 'content-type': 'application/json' },
        body: JSON.stringify({ title, body: '' }),
      });
      noteIds.push(((await created.json()) as { id: string }).id);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await downstream?.close();
  });

  it('answers every generated request with a status below 500', async () => {
    await fc.assert(
      fc.asyncProperty(requests(noteIds), async ({ method, target, headers, body }) => {
        const response = await fetch(`${service.url}${target}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        const text = await response.text();
        if (response.status >= 500) throw new Error(`answered ${response.status}: ${text.slice(0, 500)}`);
        const violation = problemContractViolation(response.status, response.headers.get('content-type'), method);
        if (violation) throw new Error(`${method} ${target} ${violation}: ${text.slice(0, 200)}`);
      }),
      { numRuns: 300 },
    );
  });

  it.each(MALFORMED)('answers %s on a raw socket without a 5xx, and keeps serving', async (_name, chunks) => {
    const answer = await exchangeRaw(service.url, chunks);
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.[01] /);
    expect(statusCodes(answer).filter((status) => status >= 500)).toEqual([]);
    expectProblemErrors(answer);
    await expectAlive();
  });

  it('keeps serving after a client resets the connection in the middle of a body', async () => {
    expect(await exchangeRaw(service.url, [`${POST_NOTE}Content-Length: 100\r\n\r\n{"title":`], 'reset')).toBe('');
    await expectAlive();
  });

  it('answers random bytes on a raw socket without a 5xx, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequests, async (bytes) => {
        const answer = await exchangeRaw(service.url, [Buffer.from(bytes, 'latin1')]);
        expect(statusCodes(answer).filter((status) => status >= 500)).toEqual([]);
        expectProblemErrors(answer);
        await expectAlive();
      }),
      { numRuns: 40 },
    );
  });

  it('is still running afterwards and logged no error', async () => {
    await expectAlive();
    expect(service.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(service.stderr).toEqual([]);
  });
});
