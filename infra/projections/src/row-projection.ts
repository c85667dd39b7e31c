import type { Knex } from 'knex';
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
}

// A list is a jsonb value here (`lines`), never a PostgreSQL array: node-pg would send it as one.
const asBinding = (value: unknown) =>
  Array.isArray(value) ? JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item)) : (value ?? null);

const MAX_PARAMETERS = 60_000;

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

  /** One statement for the batch; each column changes only where its owner's revision moved forward. */
  const upsert = async (writer: ProjectionWriter, rows: Row[]) => {
    const table = writer.table(options.table);
    const target = table.slice(table.indexOf('.') + 1);
    const raw = writer.knex.raw.bind(writer.knex);
    const merge: Record<string, Knex.Raw> = {};
    for (const [source, { columns }] of Object.entries(options.sources)) {
      const revision = revisionColumn(source);
      for (const column of columns)
        merge[column] = raw('case when excluded.?? > ??.?? then excluded.?? else ??.?? end', [revision, target, revision, column, target, column]);
      merge[revision] = raw('greatest(excluded.??, ??.??)', [revision, target, revision]);
    }
    await writer.run(writer.knex(table).insert(rows).onConflict(options.key).merge(merge));
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
      const concerned = events.flatMap((event) => {
        const source = sourceOf(event.stream);
        const key = source === undefined ? undefined : options.keyOf(event);
        return source === undefined || key === undefined ? [] : [{ event, source, key }];
      });
      if (concerned.length === 0) return;
      const rows = await load(writer, [...new Set(concerned.map(({ key }) => key))]);
      const changed = new Set<string>();
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
      if (changed.size === 0) return;
      // A source that has not written a row leaves its columns out: the table's defaults, and
      // its revision of -1 keeps them from overwriting what a concurrent writer put there.
      const written = [...changed].map((key) => {
        const row = rows.get(key) as Row;
        const values: Row = { [options.key]: key };
        for (const [source, { columns }] of Object.entries(options.sources)) {
          values[revisionColumn(source)] = row[revisionColumn(source)];
          if ((row[revisionColumn(source)] as bigint) >= 0n) for (const column of columns) values[column] = asBinding(row[column]);
        }
        return values;
      });
      // A multi-row insert needs every row to name the same columns: a missing one is DEFAULT.
      // Each statement stays under PostgreSQL's 65535 parameters.
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / (1 + columnCount)));
      for (let next = 0; next < written.length; next += perStatement) await upsert(writer, written.slice(next, next + perStatement));
    },
  };
};
