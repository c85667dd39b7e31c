import pg from 'pg';
import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import { createHttpServer, type HttpServer } from '../server';
import { sqlIdempotencyStore } from './store';

// Expired keys leave the table while the service runs, not only when it next starts.
const scope = testScope();
const SERVICE = 'purge-spec';

describe('the idempotency key purge', () => {
  let pool: pg.Pool;
  let app: HttpServer;
  let url: string;

  beforeAll(async () => {
    await scope.db(); // creates the schema, which the scope drops afterwards
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 2 });
    app = await createHttpServer({
      service: SERVICE,
      api: { title: 'purge spec', version: '1.0.0' },
      logger: createLogger({ service: SERVICE, level: 'silent' }),
      metrics: createMetrics(SERVICE, { processMetrics: false }),
      tracer: startTracing(SERVICE).tracer,
      authTokens: new Map(),
      idempotency: sqlIdempotencyStore(pool, { schema: scope.schema, ttlMs: 100 }),
      idempotencyPurgeEveryMs: 200,
    });
    app.post('/v1/things', { config: { access: 'public' } }, async (_request, reply) => reply.code(201).send({ made: true }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
  });

  const storedKeys = async () => (await pool.query<{ key: string }>(`select key from "${scope.schema}".ordo_idempotency_keys`)).rows.map((row) => row.key);

  it('deletes expired keys on its timer while the server runs', async () => {
    const answer = await fetch(`${url}/v1/things`, { method: 'POST', headers: { 'idempotency-key': 'soon-expired' } });
    expect(answer.status).toBe(201);
    expect(await storedKeys()).toEqual(['soon-expired']);
    await eventually(async () => (await storedKeys()).length === 0, 'the expired key to be purged');
    expect(await storedKeys()).toEqual([]);
  });
});
