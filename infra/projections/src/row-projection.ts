import type { Knex } from 'knex';
import type { Projection, ProjectedEvent, ProjectionWriter, ShadowFill } from './definition';
import { revisionColumn, rowWrites, type Row, type RowSource } from './row-writes';

export { revisionColumn, type Row, type RowSource } from './row-writes';

// A projection of one table, one row a key, built by folding events (docs/projections.md,
// "Row projections"). Each column is owned by one source (a stream prefix) and guarded by
// that source's revision column, so rows do not depend on how the sources' topics
// interleave, and an event applied twice changes nothing.

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

/** An event, the source its stream belongs to, and the key of the row it concerns. */
interface Concerned {
  event: ProjectedEvent;
  source: string;
  key: string;
}

const FILL_ROWS = 50_000;

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
  const { write, writeMany, revisionColumns } = rowWrites(options);
  const sourceOf = sourceFinder(options.sources);
  const sourceNames = Object.keys(options.sources);

  const load = async (writer: ProjectionWriter, keys: string[]) => {
    const rows = await writer.run<Row>(writer.knex(writer.table(options.table)).select('*').whereRaw('?? = any(?)', [options.key, keys]));
    const loaded = new Map<string, Row>();
    for (const row of rows) {
      for (const column of Object.values(revisionColumns)) row[column] = BigInt(String(row[column]));
      loaded.set(String(row[options.key]), row);
    }
    return loaded;
  };

  const concernedOf = (events: ProjectedEvent[]): Concerned[] =>
    events.flatMap((event) => {
      const source = sourceOf(event.stream);
      const key = source === undefined ? undefined : options.keyOf(event);
      return source === undefined || key === undefined ? [] : [{ event, source, key }];
    });

  const owned = Object.fromEntries(Object.entries(options.sources).map(([source, { columns }]) => [source, new Set(columns)]));
  const unwrittenRevisions = Object.fromEntries(sourceNames.map((source) => [revisionColumns[source] as string, -1n]));

  /**
   * Folds the events into the rows (by key), adding the keys it changed to `changed`. A row
   * is changed in place: the caller's rows are its own (loaded for this batch, or a fill's
   * cache, which copies a row it takes back from a write under way).
   */
  const evolveInto = (rows: Map<string, Row>, concerned: Concerned[], changed: Set<string>) => {
    for (const { event, source, key } of concerned) {
      const row = rows.get(key);
      const revision = revisionColumns[source] as string;
      if (row && event.revision <= (row[revision] as bigint)) continue;
      const own = options.evolve((row ?? null) as R | null, event, source) as Row;
      const next: Row = row ?? { [options.key]: key, ...unwrittenRevisions };
      const columns = owned[source];
      for (const column in own) if (columns?.has(column)) next[column] = own[column];
      next[revision] = event.revision;
      if (!row) rows.set(key, next);
      changed.add(key);
    }
  };

  /**
   * A rebuild's write-behind cache of the shadow table, which only the rebuild writes: rows
   * as last evolved (loaded, or made here), and those not written yet. Bounded: past
   * FILL_ROWS its changed rows go to a write aside, which the database runs while the fill
   * folds on, and it starts empty. A later event's row is then taken from a write still
   * under way, or loaded again.
   */
  const writeBehind = () => {
    const fillRows = options.fillRows ?? FILL_ROWS;
    let cached = new Map<string, Row>();
    let unwritten = new Set<string>();
    // The shadow table starts empty and only this fill writes it: a key it never wrote is
    // not there, so only the keys of rows it wrote and let go are loaded again.
    const written = new Set<string>();
    /** The rows of writes aside not committed yet, oldest first; the cache no longer holds them, so nothing changes them. */
    const writing: Map<string, Row>[] = [];
    const beingWritten = (key: string) => {
      for (let index = writing.length - 1; index >= 0; index--) {
        const row = writing[index]?.get(key);
        if (row) return row;
      }
      return undefined;
    };
    /** The keys to be written now that were never written before (so not in the table), all marked written. */
    const takeFresh = () => {
      const fresh = new Set<string>();
      for (const key of unwritten) if (!written.has(key)) fresh.add(key);
      for (const key of unwritten) written.add(key);
      unwritten = new Set();
      return fresh;
    };
    const writeAside = (fill: ShadowFill) => {
      const rows = new Map([...unwritten].map((key) => [key, cached.get(key) as Row]));
      const fresh = takeFresh();
      writing.push(rows);
      const done = () => void writing.splice(writing.indexOf(rows), 1);
      // Its failure is the rebuild's to report (ShadowFill.writeAside).
      void fill.writeAside((writer) => writeMany(writer, rows, new Set(rows.keys()), fresh)).then(done, done);
    };
    return {
      apply: async (concerned: Concerned[], writer: ProjectionWriter) => {
        const evicted = new Set<string>();
        for (const { key } of concerned) {
          if (cached.has(key)) continue;
          const handed = beingWritten(key);
          if (handed) cached.set(key, { ...handed });
          else if (written.has(key)) evicted.add(key);
        }
        if (evicted.size > 0) for (const [key, row] of await load(writer, [...evicted])) cached.set(key, row);
        evolveInto(cached, concerned, unwritten);
        if (cached.size < fillRows || !writer.fill) return;
        writeAside(writer.fill);
        cached = new Map();
      },
      flush: async (writer: ProjectionWriter) => {
        const changed = unwritten;
        await writeMany(writer, cached, changed, takeFresh());
        cached = new Map();
      },
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
