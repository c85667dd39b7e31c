import type { Knex } from 'knex';
import { quoteIdentifier } from '@ordo/runtime';
import type { Projection, ProjectedEvent, ProjectionWriter } from './definition';

// A projection of one table, one row a key, built by folding events (docs/projections.md,
// "Row projections"). Each column is owned by one source (a stream prefix) and guarded by
// that source's revision column, so rows do not depend on how the sources' topics
// interleave, and an event applied twice changes nothing.

export type Row = Record<string, unknown>;

export interface RowSource {
  /** The streams it reads: `order-`. */
  prefix: string;
  /** The columns its events set; no other source may set them. */
  columns: readonly string[];
}

export interface RowProjectionOptions<R extends Row> {
  name: string;
  version: number;
  topics: string[];
  handles?: string[];
  table: string;
  /** The key column (text, the primary key). */
  key: string;
  /** Declares the sources' columns (types, defaults, indexes); the key and the revision columns are added. */
  columns(table: Knex.CreateTableBuilder): void;
  sources: Record<string, RowSource>;
  /** The row an event concerns, or none. */
  keyOf(event: ProjectedEvent): string | undefined;
  /**
   * The source's own columns after the event (others in the result are ignored). The row
   * is as last written (revision columns as bigints), or null before any source wrote it.
   * Keep it to the source's own columns and the event: another source's columns may be
   * written concurrently.
   */
  evolve(row: R | null, event: ProjectedEvent, source: string): Partial<R>;
  /** Rows a rebuild's fill holds in memory, at most, between its writes (default 50,000). */
  fillRows?: number;
}

// A list is a jsonb value here (`lines`), never a PostgreSQL array: node-pg would send it as one.
const asBinding = (value: unknown) =>
  Array.isArray(value) ? JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item)) : (value ?? null);

const MAX_PARAMETERS = 60_000;

/** A column the row leaves to the table's default. */
const DEFAULT = Symbol('default');

/** An event, the source its stream belongs to, and the key of the row it concerns. */
interface Concerned {
  event: ProjectedEvent;
  source: string;
  key: string;
}

const FILL_ROWS = 50_000;

export const revisionColumn = (source: string): string => `${source}_revision`;

/** Which source an event's stream belongs to: the longest matching prefix. */
const sourceFinder = (sources: Record<string, RowSource>) => {
  const ordered = Object.entries(sources).sort(([, a], [, b]) => b.prefix.length - a.prefix.length);
  return (stream: string) => ordered.find(([, source]) => stream.startsWith(source.prefix))?.[0];
};

const checkOwnership = (options: RowProjectionOptions<Row>) => {
  const owners = new Map<string, string>();
  for (const [name, source] of Object.entries(options.sources)) {
    for (const column of source.columns) {
      const owner = owners.get(column);
      if (owner) throw new Error(`projection ${options.name}: column '${column}' is owned by both '${owner}' and '${name}'`);
      if (column === options.key || column.endsWith('_revision')) throw new Error(`projection ${options.name}: '${column}' is a column the runner owns`);
      owners.set(column, name);
    }
  }
};

export const rowProjection = <R extends Row>(options: RowProjectionOptions<R>): Projection => {
  checkOwnership(options as RowProjectionOptions<Row>);
  const sourceOf = sourceFinder(options.sources);
  const sourceNames = Object.keys(options.sources);
  const columnCount = Object.values(options.sources).reduce((count, { columns }) => count + columns.length + 1, 0);

  const load = async (writer: ProjectionWriter, keys: string[]) => {
    const rows = await writer.run<Row>(writer.knex(writer.table(options.table)).select('*').whereRaw('?? = any(?)', [options.key, keys]));
    const loaded = new Map<string, Row>();
    for (const row of rows) {
      for (const source of sourceNames) row[revisionColumn(source)] = BigInt(String(row[revisionColumn(source)]));
      loaded.set(String(row[options.key]), row);
    }
    return loaded;
  };

  /** The table's columns in one order: the key, then each source's columns and its revision. */
  const columnOrder = [options.key, ...Object.entries(options.sources).flatMap(([source, { columns }]) => [...columns, revisionColumn(source)])];
  /** Each column changes only where its owner's revision moved forward. */
  const merge = (target: string) =>
    Object.entries(options.sources).flatMap(([source, { columns }]) => {
      const revision = quoteIdentifier(revisionColumn(source));
      return [
        ...columns
          .map(quoteIdentifier)
          .map((column) => `${column} = case when excluded.${revision} > ${target}.${revision} then excluded.${column} else ${target}.${column} end`),
        `${revision} = greatest(excluded.${revision}, ${target}.${revision})`,
      ];
    });

  /** One statement for the rows (each in columnOrder), written out here: knex's insert builder costs more than the database does. */
  const upsert = async (writer: ProjectionWriter, rows: unknown[][]) => {
    const table = writer.table(options.table);
    const target = quoteIdentifier(table.slice(table.indexOf('.') + 1));
    const bindings: unknown[] = [];
    const values = rows.map((row) => `(${row.map((value) => (value === DEFAULT ? 'default' : `$${bindings.push(value)}`)).join(', ')})`);
    await writer.query(
      `insert into ${quoteIdentifier(table.slice(0, table.indexOf('.')))}.${target} (${columnOrder.map(quoteIdentifier).join(', ')})
         values ${values.join(', ')} on conflict (${quoteIdentifier(options.key)}) do update set ${merge(target).join(', ')}`,
      bindings,
    );
  };

  const concernedOf = (events: ProjectedEvent[]): Concerned[] =>
    events.flatMap((event) => {
      const source = sourceOf(event.stream);
      const key = source === undefined ? undefined : options.keyOf(event);
      return source === undefined || key === undefined ? [] : [{ event, source, key }];
    });

  /** Folds the events into the rows (by key), adding the keys it changed to `changed`. */
  const evolveInto = (rows: Map<string, Row>, concerned: Concerned[], changed: Set<string>) => {
    for (const { event, source, key } of concerned) {
      const row = rows.get(key) ?? null;
      const revision = revisionColumn(source);
      if (row && event.revision <= (row[revision] as bigint)) continue;
      const own = options.evolve(row as R | null, event, source) as Row;
      const next: Row = row ? { ...row } : { [options.key]: key, ...Object.fromEntries(sourceNames.map((name) => [revisionColumn(name), -1n])) };
      for (const column of options.sources[source]?.columns ?? []) if (column in own) next[column] = own[column];
      next[revision] = event.revision;
      rows.set(key, next);
      changed.add(key);
    }
  };

  const write = async (writer: ProjectionWriter, rows: Map<string, Row>, changed: Set<string>) => {
    if (changed.size === 0) return;
    // A source that has not written a row leaves its columns out: the table's defaults, and
    // its revision of -1 keeps them from overwriting what a concurrent writer put there.
    const written = [...changed].map((key) => {
      const row = rows.get(key) as Row;
      const values: unknown[] = [key];
      for (const [source, { columns }] of Object.entries(options.sources)) {
        const written = (row[revisionColumn(source)] as bigint) >= 0n;
        for (const column of columns) values.push(written ? asBinding(row[column]) : DEFAULT);
        values.push(row[revisionColumn(source)]);
      }
      return values;
    });
    // A multi-row insert names the same columns in every row: a missing one is DEFAULT.
    // Each statement stays under PostgreSQL's 65535 parameters.
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / (1 + columnCount)));
    for (let next = 0; next < written.length; next += perStatement) await upsert(writer, written.slice(next, next + perStatement));
  };

  /**
   * A rebuild's write-behind cache of the shadow table, which only the rebuild writes: rows
   * as last evolved (loaded, or made here), and those not written yet. Bounded: past
   * FILL_ROWS it is written and emptied, and a later event's row is loaded again.
   */
  const writeBehind = () => {
    const cached = new Map<string, Row>();
    const unwritten = new Set<string>();
    // The shadow table starts empty and only this fill writes it: a key it never wrote is
    // not there, so only the keys of rows it wrote and let go are loaded again.
    const written = new Set<string>();
    const flush = async (writer: ProjectionWriter) => {
      await write(writer, cached, unwritten);
      for (const key of unwritten) written.add(key);
      unwritten.clear();
      cached.clear();
    };
    return {
      apply: async (concerned: Concerned[], writer: ProjectionWriter) => {
        const evicted = new Set<string>();
        for (const { key } of concerned) if (!cached.has(key) && written.has(key)) evicted.add(key);
        if (evicted.size > 0) for (const [key, row] of await load(writer, [...evicted])) cached.set(key, row);
        evolveInto(cached, concerned, unwritten);
        if (cached.size >= (options.fillRows ?? FILL_ROWS)) await flush(writer);
      },
      flush,
    };
  };

  return {
    name: options.name,
    version: options.version,
    topics: options.topics,
    ...(options.handles ? { handles: options.handles } : {}),
    tables: [
      {
        name: options.table,
        create: (schema, physicalName) =>
          schema.createTable(physicalName, (table) => {
            table.text(options.key).primary();
            options.columns(table);
            for (const source of sourceNames) table.bigInteger(revisionColumn(source)).notNullable().defaultTo(-1);
          }),
      },
    ],
    apply: async (events, writer) => {
      const concerned = concernedOf(events);
      if (concerned.length === 0) return;
      if (writer.fill) return writer.fill.keep(`row-projection:${options.table}`, writeBehind).apply(concerned, writer);
      const rows = await load(writer, [...new Set(concerned.map(({ key }) => key))]);
      const changed = new Set<string>();
      evolveInto(rows, concerned, changed);
      await write(writer, rows, changed);
    },
  };
};
