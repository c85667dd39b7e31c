import type { Query } from '@ordo/runtime';
import type { Projection } from './definition';
import type { ProjectionNames } from './names';

export interface DiffExample {
  table: string;
  kind: 'added' | 'changed' | 'removed';
  key: unknown[];
  before?: unknown;
  after?: unknown;
}

/** What a rebuild changes, the rebuilt tables against the live ones: rows by primary key. */
export interface TableDiff {
  added: number;
  changed: number;
  removed: number;
  /** A few of each kind, per table. */
  examples: DiffExample[];
}

const EXAMPLES = 3;

const primaryKeyOf = async (query: Query, qualified: string): Promise<string[]> => {
  const { rows } = await query<{ column: string }>(
    `select a.attname as column from pg_index i
     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
     where i.indrelid = $1::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
    [qualified],
  );
  if (rows.length === 0) throw new Error(`${qualified} has no primary key: a rebuild compares rows by it`);
  return rows.map((row) => row.column);
};

/** Compares each table of two sets, row by row (as jsonb), by primary key. */
export const diffTableSets = async (query: Query, projection: Projection, live: ProjectionNames, rebuilt: ProjectionNames): Promise<TableDiff> => {
  const diff: TableDiff = { added: 0, changed: 0, removed: 0, examples: [] };
  for (const { name } of projection.tables) {
    const key = (await primaryKeyOf(query, live.qualified(name))).map((column) => `t."${column}"`).join(', ');
    const compared = `with l as (select jsonb_build_array(${key}) as k, to_jsonb(t) as j from ${live.qualified(name)} t),
           s as (select jsonb_build_array(${key}) as k, to_jsonb(t) as j from ${rebuilt.qualified(name)} t),
           d as (select case when l.k is null then 'added' when s.k is null then 'removed' else 'changed' end as kind,
                        coalesce(s.k, l.k) as k, l.j as before, s.j as after
                 from l full join s on l.k = s.k where l.j is distinct from s.j)`;
    const { rows: counts } = await query<{ kind: DiffExample['kind']; n: number }>(`${compared} select kind, count(*)::int as n from d group by kind`);
    for (const { kind, n } of counts) diff[kind] += Number(n);
    const { rows: examples } = await query<{ kind: DiffExample['kind']; k: unknown[]; before: unknown; after: unknown }>(
      `${compared} select kind, k, before, after from (select d.*, row_number() over (partition by kind order by k) as n from d) numbered where n <= ${EXAMPLES}`,
    );
    for (const example of examples)
      diff.examples.push({
        table: name,
        kind: example.kind,
        key: example.k,
        ...(example.before === null ? {} : { before: example.before }),
        ...(example.after === null ? {} : { after: example.after }),
      });
  }
  return diff;
};
