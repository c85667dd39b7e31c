import type { TransactionalSql } from '@ordo/runtime';
import { testScope } from '@ordo/testing';
import { projectionDatabases, rowsOf } from '../test/databases';
import { AWKWARD_LABEL, messageOf, parcelHistory, parcelsProjection, type ParcelRow } from '../test/parcels';
import { chunked, interleave, seeded } from '../test/shuffle';
import { applyMessages } from './apply';
import { fillRun, MAX_WRITES_ASIDE } from './fill';
import type { ProjectionMessage } from './events';
import { projectionNames } from './names';
import { migrateProjection } from './tables';

// The revision guards: whatever the interleaving of the sources' topics, however the
// messages are cut into batches, and with every event applied twice, the rows are the same.
const scope = testScope();
const databases = projectionDatabases(scope);
const projection = parcelsProjection({ topics: ['parcels', 'scans'] });

/** Both topics' messages, each in its own order, offsets from 0 per topic. */
const topicsOf = (parcels: string[]) => {
  const events = parcels.flatMap((id) => parcelHistory(id));
  const byTopic = new Map<string, ProjectionMessage[]>();
  for (const event of events) {
    const topic = event.stream.startsWith('scan-') ? 'scans' : 'parcels';
    const messages = byTopic.get(topic) ?? [];
    messages.push(messageOf(event, messages.length));
    byTopic.set(topic, messages);
  }
  return [...byTopic.values()];
};

const project = async (sql: TransactionalSql, schema: string, batches: ProjectionMessage[][], skipApplied = true) => {
  const names = projectionNames(projection, schema);
  for (const batch of batches) await sql.transaction((query) => applyMessages(projection, query, names, batch, { skipApplied }));
};

describe.each(['postgres', 'pglite'] as const)('the revision guards on %s', (database) => {
  let sql: TransactionalSql;
  beforeAll(async () => {
    sql = await databases[database]();
  });

  it('give the same rows for any interleaving, any batches, and every event applied twice', async () => {
    const topics = topicsOf(['p1', 'p2', 'p3', 'p4']);
    const results: Record<string, unknown>[][] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const schema = `${scope.schema}_${database}_${seed}`;
      await migrateProjection(sql, projection, schema);
      const random = seeded(seed);
      await project(sql, schema, chunked(interleave(topics, random), 7, random));
      // Everything again, differently cut and interleaved, past the checkpoints: as a replay in place does.
      if (seed % 2 === 0) await project(sql, schema, chunked(interleave(topics, random), 5, random), false);
      results.push(await rowsOf(sql, `"${schema}".parcels`));
    }
    const [first, ...others] = results;
    for (const other of others) expect(other).toEqual(first);
    expect(first?.[0]).toEqual({
      parcel_id: 'p1',
      status: 'delivered',
      weight_grams: '500',
      labels: ['fragile', AWKWARD_LABEL],
      scans: '2',
      last_scan_at: new Date('2026-01-03T10:00:00.000Z'),
      parcels_revision: '3',
      scans_revision: '1',
    } satisfies Record<keyof ParcelRow | 'parcels_revision' | 'scans_revision', unknown>);
  });

  it('give a rebuild’s fill the same rows when it holds only a few in memory, writing and loading them again', async () => {
    const topics = topicsOf(['p1', 'p2', 'p3', 'p4', 'p5']);
    const reference = `${scope.schema}_${database}_reference`;
    await migrateProjection(sql, projection, reference);
    await project(sql, reference, [interleave(topics, seeded(1))]);

    const holdingTwo = parcelsProjection({ topics: ['parcels', 'scans'], fillRows: 2 });
    for (const seed of [1, 2, 3]) {
      const schema = `${scope.schema}_${database}_fill_${seed}`;
      await migrateProjection(sql, holdingTwo, schema); // empty tables, as a rebuild's shadow starts
      const names = projectionNames(holdingTwo, schema);
      const { fill, settle, flush } = fillRun(sql, names);
      const random = seeded(seed);
      // Batches of 3: a parcel's events are split between them, its row let go (written
      // aside, as a rebuild does, while the next batch folds) and taken back or loaded again.
      for (const batch of chunked(interleave(topics, random), 3, random)) {
        await settle(MAX_WRITES_ASIDE);
        await sql.transaction((query) => applyMessages(holdingTwo, query, names, batch, { fill }));
      }
      await flush();
      expect(await rowsOf(sql, `"${schema}".parcels`)).toEqual(await rowsOf(sql, `"${reference}".parcels`));
    }
  });

  it('commit a batch and its checkpoint together: a failure mid-batch leaves neither', async () => {
    const schema = `${scope.schema}_${database}_atomic`;
    await migrateProjection(sql, projection, schema);
    const names = projectionNames(projection, schema);
    const [parcels = []] = topicsOf(['p9']);
    const failing = {
      ...projection,
      apply: async (...args: Parameters<typeof projection.apply>) => {
        await projection.apply(...args);
        throw new Error('the database went away mid-batch');
      },
    };
    await expect(sql.transaction((query) => applyMessages(failing, query, names, parcels))).rejects.toThrow('mid-batch');
    expect(await rowsOf(sql, `"${schema}".parcels`)).toEqual([]);
    expect((await sql.query(`select * from "${schema}".parcels_view_checkpoints`)).rows).toEqual([]);

    await sql.transaction((query) => applyMessages(projection, query, names, parcels));
    expect(await rowsOf(sql, `"${schema}".parcels`)).toHaveLength(1);
    const { rows } = await sql.query<{ topic: string; offset: string }>(`select topic, "offset" from "${schema}".parcels_view_checkpoints`);
    expect(rows).toEqual([{ topic: 'parcels', offset: String(parcels.length - 1) }]);
  });
});
