import { createHttpServer } from '@ordo/http';
import { createLogger, createMetrics, startTracing } from '@ordo/runtime';
import type { SagaInstanceRow } from './instance-row';
import { dashboardLiveRoutes, liveChanges, type LiveUpdate } from './live';
import { INSTANCE_STATES, type DashboardQueries } from './queries';

// The live poller over an in-memory table: what a page is sent, and what it is not sent twice.

const row = (sagaId: string, updatedAt: string, status: SagaInstanceRow['status'] = 'running'): SagaInstanceRow => ({
  saga_id: sagaId,
  saga: 'orderPlacement',
  version: 3,
  business_key: sagaId,
  correlation_id: null,
  status,
  current_step: null,
  step_count: 3,
  started_at: updatedAt,
  updated_at: updatedAt,
  ended_at: null,
  next_wake_at: null,
  reason: null,
  timeouts: 0,
  retries: 0,
  state: null,
});

const inMemory = (table: Map<string, SagaInstanceRow>): DashboardQueries => {
  const rows = () => [...table.values()].sort((a, b) => String(a.updated_at).localeCompare(String(b.updated_at)));
  return {
    list: async () => rows(),
    counts: async () => {
      const counts = Object.fromEntries(INSTANCE_STATES.map((state) => [state, 0])) as Record<(typeof INSTANCE_STATES)[number], number>;
      for (const each of table.values()) counts[each.status as (typeof INSTANCE_STATES)[number]] += 1;
      return counts;
    },
    byId: async (id) => table.get(id),
    history: async () => [],
    throughput: async () => [],
    changedSince: async (since, limit) =>
      rows()
        .filter((each) => String(each.updated_at) >= since)
        .slice(0, limit),
    becameStuck: async () => [],
    latestChange: async () => rows().at(-1)?.updated_at as string | undefined,
  };
};

describe('the live poller', () => {
  const table = new Map<string, SagaInstanceRow>();
  const put = (each: SagaInstanceRow) => table.set(each.saga_id, each);
  const updates: LiveUpdate[] = [];
  let unsubscribe: () => void;
  const live = liveChanges({
    queries: inMemory(table),
    clock: () => new Date('2030-01-01T00:10:00Z'),
    logger: createLogger({ service: 'spec', level: 'silent' }),
    pollMs: 5,
  });
  const next = async () => {
    const seen = updates.length;
    for (let waited = 0; updates.length === seen; waited += 5) {
      if (waited > 2_000) throw new Error('no update');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return updates.at(-1) as LiveUpdate;
  };
  const sentIds = (update: LiveUpdate) => update.instances.map((each) => each.sagaId).sort();

  beforeAll(async () => {
    put(row('a', '2030-01-01T00:00:00.000Z'));
    put(row('b', '2030-01-01T00:00:10.000Z'));
    unsubscribe = await live.subscribe((update) => updates.push(update));
  });
  afterAll(() => unsubscribe());

  it('sends nothing a page loaded after it subscribed holds already', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(updates).toEqual([]);
  });

  it('sends a new instance, then a change of it, each once', async () => {
    put(row('c', '2030-01-01T00:00:20.000Z'));
    expect(sentIds(await next())).toEqual(['c']);
    put(row('c', '2030-01-01T00:00:21.000Z', 'completed'));
    const update = await next();
    expect(update.instances).toMatchObject([{ sagaId: 'c', state: 'completed' }]);
    expect(update.counts).toMatchObject({ running: 2, completed: 1 });
  });

  it('sends a change applied out of order, older than the latest it saw', async () => {
    put(row('d', '2030-01-01T00:00:15.000Z'));
    expect(sentIds(await next())).toEqual(['d']);
  });
});

describe('the live stream', () => {
  it('ends its open streams when the server stops, so that stopping does not wait for pages', async () => {
    const logger = createLogger({ service: 'spec', level: 'silent' });
    const app = await createHttpServer({
      service: 'spec',
      api: { title: 'spec', version: '1.0.0' },
      logger,
      metrics: createMetrics('spec', { processMetrics: false }),
      tracer: startTracing('spec').tracer,
      authTokens: new Map([['viewer-token', { subject: 'support', roles: ['viewer'] }]]),
    });
    const live = liveChanges({ queries: inMemory(new Map()), clock: () => new Date(), logger, pollMs: 5 });
    await dashboardLiveRoutes(live)(app);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${url}/v1/saga-dashboard/live`, { headers: { authorization: 'Bearer viewer-token' } });
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toMatch(/event: ready/);
    await app.close();
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });
});
