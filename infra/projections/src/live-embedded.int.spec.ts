import { PGlite } from '@electric-sql/pglite';
import type { EventStore } from '@ordo/eventstore';
import { embeddedHub, sqlDeadLetterStore } from '@ordo/messaging';
import { pgliteSql } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import { rowsOf } from '../test/databases';
import { parcelHistory, parcelsProjection } from '../test/parcels';
import { appendAll, byContext, memoryStore } from '../test/stores';
import { projectionConsumer } from './consumer';

// Embedded mode: the same consumer on the embedded bus, from the context stores, into PGlite.
describe('a projection on the embedded bus', () => {
  // Three PGlite databases take a while to start on a busy machine: started before the test.
  let db: PGlite;
  let stores: { parcels: EventStore; scans: EventStore };
  beforeAll(async () => {
    db = new PGlite();
    stores = { parcels: await memoryStore('parcels'), scans: await memoryStore('scans') };
  });
  afterAll(async () => {
    await stores.parcels.close();
    await stores.scans.close();
    await db.close();
  });

  it('applies both sources, parks a poison key while the others flow, and applies it when redriven', async () => {
    const sql = pgliteSql(db);
    const events = byContext(['p1', 'p2', 'bad'].flatMap((id) => parcelHistory(id, { weightGrams: id === 'bad' ? -1 : 500 })));
    const hub = embeddedHub();
    const bus = hub.busFor({ sql, schema: 'views' });
    try {
      await bus.publish('parcels', stores.parcels);
      await bus.publish('scans', stores.scans);
      await appendAll(stores.parcels, events.parcels);
      await appendAll(stores.scans, events.scans);
      const projection = parcelsProjection({ topics: ['ordo.parcels.events', 'ordo.scans.events'] });
      await bus.consume({ ...projectionConsumer(projection, { sql, schema: 'views' }), retry: { attempts: 2, initialMs: 5 } });

      const parked = sqlDeadLetterStore(sql, { schema: 'views' });
      await eventually(
        async () => {
          const rows = await rowsOf(sql, 'views.parcels');
          const [bad] = await parked.listParked('parcels-view-v1');
          return (
            rows.filter((row) => row.status === 'delivered').length === 2 &&
            rows.some((row) => row.parcel_id === 'bad' && row.scans === '2') &&
            bad?.messages === 4
          );
        },
        'two parcels delivered, bad scanned and parked',
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      // The operator fixes the weight at the source... here, by redriving a projection that accepts it.
      await bus.close();
      const lenient = parcelsProjection({ topics: projection.topics });
      const fixed = await hub.busFor({ sql, schema: 'views' }).consume({
        ...projectionConsumer(
          {
            ...lenient,
            apply: (batch, writer) =>
              lenient.apply(
                batch.map((event) => ({ ...event, data: { ...(event.data as object), weightGrams: 1 } })),
                writer,
              ),
          },
          { sql, schema: 'views' },
        ),
      });
      try {
        expect(await fixed.redrive('parcel-bad')).toMatchObject({ remaining: 0 });
        expect((await rowsOf(sql, 'views.parcels')).find((row) => row.parcel_id === 'bad')).toMatchObject({
          status: 'delivered',
          weight_grams: '1',
          parcels_revision: '3',
        });
      } finally {
        await fixed.stop();
      }
    } finally {
      await bus.close();
    }
  });
});
