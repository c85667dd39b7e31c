import { loadConfig } from '@ordo/runtime';
import { routeFor, routesFromEnv, tableErrors, type GatewayRoute } from './routes';

describe('a routing table', () => {
  const table: GatewayRoute[] = [
    { prefix: '/v1/things', service: 'things', methods: ['POST'] },
    { prefix: '/v1/things', service: 'things-view', methods: ['GET'] },
    { prefix: '/v1/things/special', service: 'special' },
  ];

  it('takes the entry of the longest prefix that routes the method, HEAD as GET', () => {
    expect(routeFor(table, 'GET', '/v1/things/1')?.service).toBe('things-view');
    expect(routeFor(table, 'HEAD', '/v1/things')?.service).toBe('things-view');
    expect(routeFor(table, 'POST', '/v1/things')?.service).toBe('things');
    expect(routeFor(table, 'POST', '/v1/things/special/1')?.service).toBe('special');
    expect(routeFor(table, 'DELETE', '/v1/things/1')).toBeUndefined();
    expect(routeFor(table, 'GET', '/v1/thingsx')).toBeUndefined();
  });

  it('names each mistake: a bad prefix, a service with no URL, no methods, a method of a prefix routed twice', () => {
    expect(
      tableErrors(
        [
          { prefix: 'v1/x/', service: 'a' },
          { prefix: '/v1/y', service: 'nowhere' },
          { prefix: '/v1/z', service: 'a', methods: [] },
          { prefix: '/v1/w', service: 'a', methods: ['GET'] },
          { prefix: '/v1/w', service: 'b' },
        ],
        new Set(['a', 'b']),
      ),
    ).toEqual([
      "'v1/x/' is not a path prefix like /v1/orders (lower case, no trailing slash)",
      "/v1/y goes to 'nowhere', which has no upstream URL",
      '/v1/z (a) names no method',
      'GET /v1/w goes to both a and b',
    ]);
    expect(tableErrors(table, new Set(['things', 'things-view', 'special']))).toEqual([]);
  });
});

describe("a routing table from ROUTES (the gateway's own entry)", () => {
  const load = (ROUTES: string) => loadConfig('gateway', { ROUTES: routesFromEnv() }, { ROUTES }).ROUTES;

  it('reads a JSON array of entries', () => {
    const table = [
      { prefix: '/v1/things', service: 'things', methods: ['POST'] },
      { prefix: '/v1/things', service: 'things-view', methods: ['GET'] },
    ];
    expect(load(JSON.stringify(table))).toEqual(table);
  });

  it('refuses text that is no JSON, an entry of another shape, an unknown method and an empty table, naming the variable', () => {
    expect(() => load('/v1/things=things')).toThrow(/ROUTES: expected a JSON array of \{prefix, service, methods\?\} entries, not valid JSON/);
    expect(() => load('[{"prefix":"/v1/things"}]')).toThrow(/ROUTES: every entry needs a service/);
    expect(() => load('[{"prefix":"/v1/things","service":"things","methods":["TRACE"]}]')).toThrow(
      /ROUTES: methods are among GET, POST, PUT, PATCH, DELETE, OPTIONS/,
    );
    expect(() => load('[]')).toThrow(/ROUTES: expected at least one route/);
  });
});
