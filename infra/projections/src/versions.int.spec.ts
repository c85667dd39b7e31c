import { PGlite } from '@electric-sql/pglite';
import type { EventStore } from '@ordo/eventstore';
import { embeddedHub, type Bus } from '@ordo/messaging';
import { pgliteSql, type TransactionalSql } from '@ordo/runtime';
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
  const topics = ['ordo.parcels.events', 'ordo.scans.events'];
  const hub = embeddedHub();
  let db: PGlite;
  let sql: TransactionalSql;
  let stores: { parcels: EventStore; scans: EventStore };
  let sources: { name: string; store: EventStore }[];
  const buses: Bus[] = [];

  const status = (projection: Projection) => projectionStatus([projection], { sql, schema: 'views', lag: storeLag(sources) });
  const run = async (projection: Projection, until: (rows: Record<string, unknown>[]) => boolean) => {
    const bus = hub.busFor({ sql, schema: 'views' });
    buses.push(bus);
    await bus.publish('parcels', stores.parcels);
    await bus.publish('scans', stores.scans);
    await bus.consume(projectionConsumer(projection, { sql, schema: 'views' }));
    await eventually(async () => until(await rowsOf(sql, 'views.parcels')), `${projection.name} v${projection.version} caught up`, {
      timeoutMs: 40_000,
      intervalMs: 50,
    });
    return bus;
  };
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

  beforeAll(async () => {
    db = new PGlite();
    sql = pgliteSql(db);
    stores = { parcels: await memoryStore('parcels'), scans: await memoryStore('scans') };
    sources = [
      { name: 'parcels', store: stores.parcels },
      { name: 'scans', store: stores.scans },
    ];
    const contexts = byContext(['p1', 'p2', 'p3'].flatMap((id) => parcelHistory(id)));
    await appendAll(stores.parcels, contexts.parcels);
    await appendAll(stores.scans, contexts.scans);
  });
  afterAll(async () => {
    for (const bus of buses) await bus.close();
    await stores.parcels.close();
    await stores.scans.close();
    await db.close();
  });

  it('rebuilds a changed version from the beginning, rebuilding until caught up', async () => {
    const v1 = parcelsProjection({ topics });
    const first = await run(v1, (rows) => rows.filter((row) => row.status === 'delivered').length === 3);
    expect(await status(v1)).toEqual([{ name: 'parcels-view', version: 1, state: 'live', eventsBehind: 0, secondsBehind: 0 }]);
    await first.close();

    expect(await status(v2)).toMatchObject([{ version: 2, state: 'rebuilding' }]);
    await run(v2, (rows) => rows.length === 3 && rows.every((row) => row.status === 'registered' && row.scans === '2'));
    expect(await status(v2)).toMatchObject([{ version: 2, state: 'live', eventsBehind: 0 }]);
  });

  it('rebuilds from the stores beside the live runner, which goes on in the swapped tables', async () => {
    const live = await rowsOf(sql, 'views.parcels');
    expect(live).toHaveLength(3);
    const rebuilt = await rebuildProjection(v2, { sql, schema: 'views', source: storeFeed(sources) });
    expect(rebuilt).toMatchObject({ events: 18, swapped: true, diff: { added: 0, changed: 0, removed: 0 } });
    expect(await rowsOf(sql, 'views.parcels')).toEqual(live);
    await appendAll(stores.parcels, byContext(parcelHistory('p4')).parcels);
    await eventually(async () => (await rowsOf(sql, 'views.parcels')).some((row) => row.parcel_id === 'p4' && row.status === 'registered'), 'p4 projected', {
      timeoutMs: 40_000,
      intervalMs: 50,
    });
  });
});
