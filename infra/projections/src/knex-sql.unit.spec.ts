import type { CopyingQuery, Query } from '@ordo/runtime';
import { projectionWriter } from './knex-sql';
import { projectionNames } from './names';

describe("a projection writer's inserts", () => {
  const names = projectionNames({ name: 'parcels-view' }, 'reads', 'shadow');
  const plainQuery: Query = async () => ({ rows: [] });

  it('COPY the rows in where the connection can (node-pg)', async () => {
    const copied: [string, string][] = [];
    const query: CopyingQuery = Object.assign(plainQuery.bind(null), {
      copyFrom: async (statement: string, text: string) => void copied.push([statement, text]),
    });
    const writer = projectionWriter(query, names);
    await writer.insertRows?.(writer.table('parcels'), ['parcel_id', 'labels'], [['p1', ['a\tb']]]);
    expect(copied).toEqual([[`copy "reads"."${names.physical('parcels')}" ("parcel_id", "labels") from stdin`, 'p1\t["a\\\\tb"]\n']]);
  });

  it('are not offered where it cannot (PGlite): the writer upserts instead', () => {
    expect(projectionWriter(plainQuery, names).insertRows).toBeUndefined();
  });
});
