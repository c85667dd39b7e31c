import { testScope } from '@ordo/testing';
import { projectionDatabases, rowsOf } from '../test/databases';
import { publishParcels } from '../test/kafka';
import { parcelHistory, parcelsProjection } from '../test/parcels';
import { kafkaFeed } from './feeds/kafka';
import { replayInPlace } from './rebuild';

// Reprocessing in place, from an offset or a time: safe beside the live tables because a
// column never moves back past its source's revision, nor a checkpoint past its offset.
const scope = testScope();
const databases = projectionDatabases(scope);

describe('replaying a projection in place', () => {
  it('applies from a time or from offsets through the guards, moving no row and no checkpoint back', async () => {
    const sql = await databases.postgres();
    const topics = { parcels: await scope.createTopic('parcels', { numPartitions: 1 }), scans: await scope.createTopic('scans', { numPartitions: 1 }) };
    const projection = parcelsProjection({ topics: [topics.parcels, topics.scans] });
    await publishParcels(
      scope.kafka(),
      topics,
      ['p1', 'p2', 'p3'].flatMap((id) => parcelHistory(id)),
    );
    const table = `"${scope.schema}".parcels`;
    const checkpoints = async () => (await sql.query(`select topic, "offset" from "${scope.schema}".parcels_view_checkpoints order by topic`)).rows;

    const fromTime = await replayInPlace(projection, { sql, schema: scope.schema, feed: kafkaFeed({ kafka: scope.kafka(), fromTime: new Date(0) }) });
    expect(fromTime.events).toBe(18);
    const projected = await rowsOf(sql, table);
    expect(projected.filter((row) => row.status === 'delivered')).toHaveLength(3);
    const reached = await checkpoints();
    expect(reached).toEqual([
      { topic: topics.parcels, offset: '11' },
      { topic: topics.scans, offset: '5' },
    ]);

    // From the parcels topic's offset 4 on: p1's last events and the others' again, changing nothing.
    const fromOffset = await replayInPlace(projection, {
      sql,
      schema: scope.schema,
      feed: kafkaFeed({ kafka: scope.kafka(), fromOffsets: [{ topic: topics.parcels, partition: 0, offset: '4' }] }),
    });
    expect(fromOffset.events).toBe(8);
    expect(await rowsOf(sql, table)).toEqual(projected);
    expect(await checkpoints()).toEqual(reached);

    // After the last event: nothing to apply.
    expect(
      (await replayInPlace(projection, { sql, schema: scope.schema, feed: kafkaFeed({ kafka: scope.kafka(), fromTime: new Date(Date.now() + 60_000) }) }))
        .events,
    ).toBe(0);
  });
});
