import { PGlite } from '@electric-sql/pglite';
import { embeddedHub, type BusConsumer } from '@ordo/messaging';
import { pgliteSql } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import { rowsOf } from '../test/databases';
import { parcelHistory, parcelsProjection } from '../test/parcels';
import { appendAll, byContext, memoryStore } from '../test/stores';
import { projectionConsumer } from './consumer';
import type { Projection } from './definition';
import { storeFeed } from './feeds/store';
import { rebuildProjection } from './rebuild';
import { projectionStatus, storeLag } from './status';

// Embedded mode: a new version of a projection rebuilds its tables from the beginning,
// saying so until caught up; and a rebuild from the stores swaps beside the live runner.
describe('a projection’s versions, in embedded mode', () => {
  it('rebuilds a changed version from the beginning, rebuilding until caught up, and rebuilds from the stores', async () => {
    const db = new PGlite();
    const sql = pgliteSql(db);
    const stores = { parcels: await memoryStore('parcels'), scans: await memoryStore('scans') };
    const sources = [
      { name: 'parcels', store: stores.parcels },
      { name: 'scans', store: stores.scans },
    ];
    const contexts = byContext(['p1', 'p2', 'p3'].flatMap((id) => parcelHistory(id)));
    await appendAll(stores.parcels, contexts.parcels);
    await appendAll(stores.scans, contexts.scans);
    const hub = embeddedHub();
    const topics = ['ordo.parcels.events', 'ordo.scans.events'];
    const status = (projection: Projection) => projectionStatus([projection], { sql, schema: 'views', lag: storeLag(sources) });
    const run = async (projection: Projection, until: (rows: Record<string, unknown>[]) => boolean) => {
      const bus = hub.busFor({ sql, schema: 'views' });
      await bus.publish('parcels', stores.parcels);
      await bus.publish('scans', stores.scans);
      const consumer: BusConsumer = await bus.consume(projectionConsumer(projection, { sql, schema: 'views' }));
      await eventually(async () => until(await rowsOf(sql, 'views.parcels')), `${projection.name} v${projection.version} caught up`, {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      return { bus, consumer };
    };
    try {
      const v1 = parcelsProjection({ topics });
      const first = await run(v1, (rows) => rows.filter((row) => row.status === 'delivered').length === 3);
      expect(await status(v1)).toEqual([{ name: 'parcels-view', version: 1, state: 'live', eventsBehind: 0, secondsBehind: 0 }]);
      await first.bus.close();

      // Version 2 says 'handed over' where version 1 said 'delivered'.
      const base = parcelsProjection({ topics, version: 2 });
      const v2: Projection = {
        ...base,
        apply: (events, writer) =>
          base.apply(
            events.map((event) => (event.type === 'ParcelDelivered' ? { ...event, type: 'ParcelHandedOver' } : event)),
            writer,
          ),
      };
      expect(await status(v2)).toMatchObject([{ version: 2, state: 'rebuilding' }]);
      const second = await run(v2, (rows) => rows.length === 3 && rows.every((row) => row.status === 'registered' && row.scans === '2'));
      expect(await status(v2)).toMatchObject([{ version: 2, state: 'live', eventsBehind: 0 }]);

      // A rebuild from the stores, while version 2's runner serves: the same rows, swapped in.
      const live = await rowsOf(sql, 'views.parcels');
      const rebuilt = await rebuildProjection(v2, { sql, schema: 'views', source: storeFeed(sources) });
      expect(rebuilt).toMatchObject({ events: 18, swapped: true, diff: { added: 0, changed: 0, removed: 0 } });
      expect(await rowsOf(sql, 'views.parcels')).toEqual(live);
      // The runner goes on into the swapped tables.
      await appendAll(stores.parcels, byContext(parcelHistory('p4')).parcels);
      await eventually(async () => (await rowsOf(sql, 'views.parcels')).some((row) => row.parcel_id === 'p4' && row.status === 'registered'), 'p4 projected', {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await second.bus.close();
    } finally {
      await stores.parcels.close();
      await stores.scans.close();
      await db.close();
    }
  });
});
