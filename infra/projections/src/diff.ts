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

/** Its columns' names and types, in order: two tables alike in them print alike rows alike. */
const columnsOf = async (query: Query, qualified: string): Promise<string> => {
  const { rows } = await query<{ columns: string }>(
    `select string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' order by attnum) as columns
     from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped`,
    [qualified],
  );
  return rows[0]?.columns ?? '';
};

/** Compares each table of two sets, row by row (as jsonb), by primary key. */
export const diffTableSets = async (query: Query, projection: Projection, live: ProjectionNames, rebuilt: ProjectionNames): Promise<TableDiff> => {
  const diff: TableDiff = { added: 0, changed: 0, removed: 0, examples: [] };
  for (const { name } of projection.tables) {
    const keyColumns = (await primaryKeyOf(query, live.qualified(name))).map((column) => `"${column.replaceAll('"', '""')}"`);
    const alike = (await columnsOf(query, live.qualified(name))) === (await columnsOf(query, rebuilt.qualified(name)));
    const [first] = keyColumns;
    const kinds = { added: `l.${first} is null`, removed: `s.${first} is null`, changed: `l.${first} is not null and s.${first} is not null` };
    // jsonb costs several times more than a comparison (and a rebuild's swap waits for
    // it): rows that print alike are alike as jsonb too, so only the others are made jsonb.
    const differ = `case when l.${first} is null or s.${first} is null then true ${
      alike ? 'when l::text = s::text then false ' : ''
    }else to_jsonb(l) is distinct from to_jsonb(s) end`;
    const joined = `${live.qualified(name)} l full join ${rebuilt.qualified(name)} s on ${keyColumns.map((column) => `l.${column} = s.${column}`).join(' and ')}`;
    const { rows: counts } = await query<{ added: string; removed: string; changed: string }>(
      `select ${Object.entries(kinds)
        .map(([kind, where]) => `count(*) filter (where ${where}) as ${kind}`)
        .join(', ')} from ${joined} where ${differ}`,
    );
    for (const kind of ['added', 'changed', 'removed'] as const) {
      const count = Number(counts[0]?.[kind] ?? 0);
      if (count === 0) continue;
      diff[kind] += count;
      const side = kind === 'added' ? 's' : 'l';
      const key = `jsonb_build_array(${keyColumns.map((column) => `${side}.${column}`).join(', ')})`;
      // A few, by key: the sort keeps only them.
      const { rows: examples } = await query<{ k: unknown[]; before: unknown; after: unknown }>(
        `select ${key} as k, ${kind === 'added' ? 'null' : 'to_jsonb(l)'} as before, ${kind === 'removed' ? 'null' : 'to_jsonb(s)'} as after
         from ${joined} where ${kinds[kind]} and ${differ} order by ${keyColumns.map((column) => `${side}.${column}`).join(', ')} limit ${EXAMPLES}`,
      );
      for (const example of examples)
        diff.examples.push({
          table: name,
          kind,
          key: example.k,
          ...(example.before === null ? {} : { before: example.before }),
          ...(example.after === null ? {} : { after: example.after }),
        });
    }
  }
  return diff;
};
