import { kafkaBus, sqlDeadLetterStore } from '@ordo/messaging';
import { createMetrics } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import type { Projection } from './definition';
import { projectionDatabases, rowsOf } from '../test/databases';
import { AWKWARD_LABEL, parcelHistory, parcelsProjection, published } from '../test/parcels';
import { projectionConsumer } from './consumer';

// The live runner on a real broker, through the bus every consumer uses: chunks with their
// checkpoint in one transaction, a poison event parked with its key while the others flow,
// and the key redriven in order once the projection is fixed.
const scope = testScope();
const databases = projectionDatabases(scope);

describe('a projection consuming Kafka through the bus', () => {
  it('applies the topics, parks a poison key in sequence, and applies it when redriven', async () => {
    const sql = await databases.postgres();
    const topics = [await scope.createTopic('parcels'), await scope.createTopic('scans')];
    const events = ['p1', 'p2', 'p3', 'bad'].flatMap((id) => parcelHistory(id));
    let poisoned = true;
    const base = parcelsProjection({ topics });
    const projection: Projection = {
      ...base,
      apply: async (batch, writer) => {
        if (poisoned && batch.some((event) => event.stream === 'parcel-bad' && event.revision === 0n)) throw new Error('bad is poison today');
        await base.apply(batch, writer);
      },
    };

    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (const event of events)
      await producer.send({ topic: event.stream.startsWith('scan-') ? (topics[1] as string) : (topics[0] as string), messages: [published(event)] });
    await producer.disconnect();

    const bus = kafkaBus({ kafka: scope.kafka(), sql, schema: scope.schema });
    const metrics = createMetrics('parcels-view', { processMetrics: false });
    const consumer = await bus.consume({ ...projectionConsumer(projection, { sql, schema: scope.schema, metrics }), retry: { attempts: 2, initialMs: 5 } });
    try {
      const parked = sqlDeadLetterStore(sql, { schema: scope.schema });
      const table = `"${scope.schema}".parcels`;
      // bad's four parcel events park behind its first; its scans (another key) flow on.
      await eventually(
        async () => {
          const rows = await rowsOf(sql, table);
          const [bad] = await parked.listParked('parcels-view-v1');
          return (
            rows.filter((row) => row.status === 'delivered').length === 3 &&
            rows.some((row) => row.parcel_id === 'bad' && row.scans === '2') &&
            bad?.messages === 4
          );
        },
        'three parcels delivered, bad scanned and parked',
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const bad = (await rowsOf(sql, table)).find((row) => row.parcel_id === 'bad');
      expect(await metrics.registry.getSingleMetricAsString('ordo_projection_events_applied_total')).toMatch(/projection="parcels-view"[^\n]* \d+/);
      expect(bad).toMatchObject({ status: null, parcels_revision: '-1', scans_revision: '1' });

      poisoned = false;
      expect(await consumer.redrive('parcel-bad')).toMatchObject({ remaining: 0 });
      expect((await rowsOf(sql, table)).find((row) => row.parcel_id === 'bad')).toMatchObject({
        status: 'delivered',
        labels: ['fragile', AWKWARD_LABEL],
        parcels_revision: '3',
      });
    } finally {
      await bus.close();
    }
  });
});
