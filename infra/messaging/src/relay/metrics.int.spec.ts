import pg from 'pg';
import { createEventStore, eventIdFor } from '@ordo/eventstore';
import { createMetrics } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import { sqlCheckpointStore } from '../checkpoints';
import { startRelay } from './relay';

const scope = testScope();

describe('the relay on /metrics', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 2 });
  });
  afterAll(async () => pool.end());

  it('shows events waiting and their lag while Kafka cannot take them, then the events published', async () => {
    const metrics = createMetrics('relay-test', { processMetrics: false });
    const value = async (name: string) =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values.find((sample) => sample.labels.relay === 'metered')?.value;
    // The topic does not exist yet, so the producer retries: the events wait.
    const topic = scope.topic('late');
    const store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    await store.appendToStream(
      'meter-1',
      Array.from({ length: 5 }, (_, n) => ({
        id: eventIdFor(`meter-${n}`, 0),
        type: 'Counted',
        data: { n },
        metadata: { correlationId: 'meter', causationId: 'test', schemaVersion: 1 },
      })),
      { expectedRevision: 'any' },
    );
    const relay = await startRelay({
      name: 'metered',
      store,
      kafka: scope.kafka(),
      routing: (event) => [{ topic, key: event.stream }],
      checkpoints: sqlCheckpointStore(pool, { schema: scope.schema }),
      metrics,
    });

    expect(await value('ordo_relay_published_events_total')).toBe(0);
    expect(await value('ordo_relay_publishing')).toBe(1);
    await eventually(async () => (await value('ordo_relay_waiting_events')) === 5, '5 events waiting', { timeoutMs: 10_000, intervalMs: 20 });
    expect(await value('ordo_relay_lag_milliseconds')).toBeGreaterThan(0);

    await scope.createTopic('late');
    await eventually(async () => (await value('ordo_relay_published_events_total')) === 5, '5 events published', { timeoutMs: 30_000, intervalMs: 50 });
    expect(await value('ordo_relay_waiting_events')).toBe(0);
    expect(await value('ordo_relay_lag_milliseconds')).toBe(0);
    expect(await metrics.registry.metrics()).toContain('ordo_relay_published_events_total{relay="metered",service="relay-test"} 5');

    await relay.stop();
    await store.close();
    // A stopped relay's gauges go with it.
    expect(await value('ordo_relay_waiting_events')).toBeUndefined();
  });
});
