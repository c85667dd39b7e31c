import type { Admin } from 'kafkajs';
import { kafkaBus, type Bus } from '@ordo/messaging';
import type { TransactionalSql } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import type { EventStore } from '@ordo/eventstore';
import { projectionDatabases, rowsOf } from '../test/databases';
import { publishParcels } from '../test/kafka';
import { parcelHistory, parcelsProjection } from '../test/parcels';
import { appendAll, byContext, memoryStore } from '../test/stores';
import { projectionConsumer } from './consumer';
import { kafkaFeed } from './feeds/kafka';
import { storeFeed } from './feeds/store';
import { rebuildProjection } from './rebuild';
import { kafkaLag, projectionStatus } from './status';

// Rebuilds beside a live runner on Kafka: from the topics or from the stores, the rebuilt
// tables are the live ones; a dry run reports what would change and changes nothing; a
// swap while events keep coming loses none of them.
const scope = testScope();
const databases = projectionDatabases(scope);

describe('rebuilding a projection beside its live runner', () => {
  let sql: TransactionalSql;
  let topics: { parcels: string; scans: string };
  let stores: { parcels: EventStore; scans: EventStore };
  let bus: Bus;
  let admin: Admin;
  let projection: ReturnType<typeof parcelsProjection>;
  const table = () => `"${scope.schema}".parcels`;
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, index) => `p${String(from + index).padStart(3, '0')}`);
  const publish = async (parcels: string[]) => {
    const events = parcels.flatMap((id) => parcelHistory(id));
    const contexts = byContext(events);
    await appendAll(stores.parcels, contexts.parcels);
    await appendAll(stores.scans, contexts.scans);
    await publishParcels(scope.kafka(), topics, events);
  };
  const caughtUp = (parcels: number) =>
    eventually(
      async () => (await rowsOf(sql, table())).filter((row) => row.status === 'delivered' && row.scans === '2').length === parcels,
      `${parcels} parcels delivered`,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );

  beforeAll(async () => {
    sql = await databases.postgres();
    topics = { parcels: await scope.createTopic('parcels'), scans: await scope.createTopic('scans') };
    stores = { parcels: await memoryStore('parcels'), scans: await memoryStore('scans') };
    // A rebuild's fill holds 7 rows at most: it writes and lets go of rows mid-parcel, and loads them again.
    projection = parcelsProjection({ topics: [topics.parcels, topics.scans], fillRows: 7 });
    admin = scope.kafka().admin();
    await admin.connect();
    await publish(ids(0, 40));
    bus = kafkaBus({ kafka: scope.kafka(), sql, schema: scope.schema });
    await bus.consume(projectionConsumer(projection, { sql, schema: scope.schema }));
    await caughtUp(40);
  });
  afterAll(async () => {
    await bus.close();
    await admin.disconnect();
    await stores.parcels.close();
    await stores.scans.close();
  });

  it('rebuilds from Kafka, twice, and from the stores, into the rows the live runner made', async () => {
    const live = await rowsOf(sql, table());
    const [status] = await projectionStatus([projection], { sql, schema: scope.schema, lag: kafkaLag(admin) });
    expect(status).toEqual({ name: 'parcels-view', version: 1, state: 'live', eventsBehind: 0, secondsBehind: 0 });

    const progress: number[] = [];
    const first = await rebuildProjection(projection, {
      sql,
      schema: scope.schema,
      source: kafkaFeed({ kafka: scope.kafka() }),
      onProgress: ({ events }) => progress.push(events),
    });
    expect(first).toMatchObject({ events: 240, swapped: true, diff: { added: 0, changed: 0, removed: 0, examples: [] } });
    expect(progress.at(-1)).toBe(240);
    expect(await rowsOf(sql, table())).toEqual(live);

    expect(await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }) })).toMatchObject({
      events: 240,
      swapped: true,
    });
    expect(await rowsOf(sql, table())).toEqual(live);

    const fromStores = await rebuildProjection(projection, {
      sql,
      schema: scope.schema,
      source: storeFeed([
        { name: 'parcels', store: stores.parcels, topic: topics.parcels },
        { name: 'scans', store: stores.scans, topic: topics.scans },
      ]),
    });
    expect(fromStores).toMatchObject({ events: 240, swapped: true, diff: { added: 0, changed: 0, removed: 0 } });
    expect(await rowsOf(sql, table())).toEqual(live);
  });

  it('reports in a dry run what a rebuild would change, and changes nothing', async () => {
    await sql.query(`update ${table()} set status = 'lost' where parcel_id = 'p001'`);
    await sql.query(`delete from ${table()} where parcel_id = 'p002'`);
    const before = await rowsOf(sql, table());

    const result = await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }), dryRun: true });
    expect(result).toMatchObject({ swapped: false, diff: { added: 1, changed: 1, removed: 0 } });
    expect(result.diff.examples).toEqual([
      expect.objectContaining({ table: 'parcels', kind: 'added', key: ['p002'], after: expect.objectContaining({ status: 'delivered' }) }),
      expect.objectContaining({
        table: 'parcels',
        kind: 'changed',
        key: ['p001'],
        before: expect.objectContaining({ status: 'lost' }),
        after: expect.objectContaining({ status: 'delivered' }),
      }),
    ]);
    expect(await rowsOf(sql, table())).toEqual(before);
    const { rows } = await sql.query(`select 1 from pg_tables where schemaname = $1 and tablename like '%shadow%'`, [scope.schema]);
    expect(rows).toEqual([]);

    // A real rebuild repairs them.
    expect(await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }) })).toMatchObject({
      diff: { added: 1, changed: 1, removed: 0 },
    });
    expect((await rowsOf(sql, table())).filter((row) => row.status === 'delivered')).toHaveLength(40);
  });

  it('loses no event when it swaps while the live runner is applying new ones', async () => {
    // New parcels keep coming before, during and after the rebuild's swap.
    let publishing = true;
    let sent = 0;
    const more = (async () => {
      for (let batch = 0; publishing || batch < 6; batch++) {
        await publish(ids(100 + batch * 5, 5));
        sent += 5;
      }
    })();
    try {
      await eventually(async () => sent >= 10, 'new parcels coming', { timeoutMs: 30_000, intervalMs: 10 });
      await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }) });
    } finally {
      publishing = false;
    }
    await more;
    await caughtUp(40 + sent);
    const lag = await projectionStatus([projection], { sql, schema: scope.schema, lag: kafkaLag(admin) });
    expect(lag[0]).toMatchObject({ state: 'live', eventsBehind: 0 });
    // And one rebuild more finds nothing to change: the swapped tables missed nothing.
    const again = await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }), dryRun: true });
    expect(again.diff).toEqual({ added: 0, changed: 0, removed: 0, examples: [] });
  });
});
