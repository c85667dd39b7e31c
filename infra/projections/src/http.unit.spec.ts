import { authTokensFromEnv, createHttpServer } from '@ordo/http';
import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { projectionGate, projectionRoutes, requireLive } from './http';
import type { ProjectionStatus } from './status';

const SERVICE = 'projections-spec';
const statuses: ProjectionStatus[] = [
  { name: 'parcels-view', version: 2, state: 'rebuilding', eventsBehind: 40, secondsBehind: 12 },
  { name: 'scans-view', version: 1, state: 'live', eventsBehind: 0, secondsBehind: 0 },
];

describe('GET /v1/projections', () => {
  it('answers viewers with each projection’s version, state and lag, and refuses anonymous callers', async () => {
    const app = await createHttpServer({
      service: SERVICE,
      api: { title: 'projections spec', version: '1.0.0' },
      logger: createLogger({ service: SERVICE, destination: { write: () => undefined } }),
      metrics: createMetrics(SERVICE, { processMetrics: false }),
      tracer: startTracing(SERVICE).tracer,
      authTokens: authTokensFromEnv().parse('ops:token-ops:viewer'),
    });
    projectionRoutes(app, async () => statuses);
    try {
      // Through a real port: fastify's inject needs a module jest cannot load.
      const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1/projections`;
      const seen = await fetch(url, { headers: { authorization: 'Bearer token-ops' } });
      expect(seen.status).toBe(200);
      expect(await seen.json()).toEqual({ projections: statuses });
      expect((await fetch(url)).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('lets a read model answer 503 while its projection rebuilds', () => {
    expect(() => requireLive(statuses[0] as ProjectionStatus)).toThrow(expect.objectContaining({ status: 503 }));
    expect(() => requireLive(statuses[1] as ProjectionStatus)).not.toThrow();
  });

  it('gates a read model’s queries on its projection, reading the status once a second at most', async () => {
    let reads = 0;
    const gate = projectionGate(async () => {
      reads += 1;
      return statuses;
    });
    await expect(gate('parcels-view')).rejects.toMatchObject({ status: 503 });
    await expect(gate('scans-view')).resolves.toBeUndefined();
    await expect(gate('nothing-view')).rejects.toThrow("no projection named 'nothing-view'");
    expect(reads).toBe(1);
  });
});
