import { quoteIdentifier } from '@ordo/runtime';
import type { ProjectionWriter } from './definition';

// How a row projection writes its rows (docs/projections.md, "Row projections"): upserts
// in which each column changes only where its source's revision moved forward. A live
// batch is one statement of bound values; a rebuild's fill writes thousands of rows at a
// time, given as JSON.

export type Row = Record<string, unknown>;

export interface RowSource {
  /** The streams it reads: `order-`. */
  prefix: string;
  /** The columns its events set; no other source may set them. */
  columns: readonly string[];
}

export const revisionColumn = (source: string): string => `${source}_revision`;

// A list is a jsonb value here (`lines`), never a PostgreSQL array: node-pg would send it as one.
const asBinding = (value: unknown) =>
  Array.isArray(value) ? JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item)) : (value ?? null);

/** A live batch's statement stays under PostgreSQL's 65535 parameters. */
const MAX_PARAMETERS = 60_000;

/** A column the row leaves to the table's default. */
const DEFAULT = Symbol('default');

/** Rows a fill's statement writes, at most: their JSON is one parameter. */
const ROWS_PER_STATEMENT = 5_000;

/** A JSON.stringify replacer: a bigint (a revision) as its text. */
export const bigintAsText = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/** The rows as one JSON array; a bigint (a revision, or one inside a value) as its text, which PostgreSQL reads as a number. */
const rowsJson = (rows: Row[]): string => {
  try {
    // Without a replacer first: V8's fast path, several times quicker on a fill's thousands of rows.
    return JSON.stringify(rows);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(rows, bigintAsText);
  }
};

/** What the writes need of a row projection's options. */
export interface RowTable {
  table: string;
  key: string;
  sources: Record<string, RowSource>;
}

export const rowWrites = (options: RowTable) => {
  const sourceNames = Object.keys(options.sources);
  const revisionColumns = Object.fromEntries(sourceNames.map((source) => [source, revisionColumn(source)]));
  const columnCount = Object.values(options.sources).reduce((count, { columns }) => count + columns.length + 1, 0);

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

  /** The table's columns in one order: the key, then each source's columns and its revision. */
  const columnOrder = [options.key, ...Object.entries(options.sources).flatMap(([source, { columns }]) => [...columns, revisionColumn(source)])];
  const qualifiedTable = (writer: ProjectionWriter) => {
    const table = writer.table(options.table);
    const name = quoteIdentifier(table.slice(table.indexOf('.') + 1));
    return { qualified: `${quoteIdentifier(table.slice(0, table.indexOf('.')))}.${name}`, name };
  };

  /** A live batch's rows (each in columnOrder) as one statement, written out here: knex's insert builder costs more than the database does. */
  const upsertValues = async (writer: ProjectionWriter, rows: unknown[][]) => {
    const { qualified, name } = qualifiedTable(writer);
    const bindings: unknown[] = [];
    const values = rows.map((row) => `(${row.map((value) => (value === DEFAULT ? 'default' : `$${bindings.push(value)}`)).join(', ')})`);
    await writer.query(
      `insert into ${qualified} (${columnOrder.map(quoteIdentifier).join(', ')})
         values ${values.join(', ')} on conflict (${quoteIdentifier(options.key)}) do update set ${merge(name).join(', ')}`,
      bindings,
    );
  };

  /**
   * A fill's rows that name the same columns as one statement, their values one JSON
   * parameter that PostgreSQL turns into the table's row type (jsonb_populate_recordset):
   * thousands of rows as bound parameters cost it more to parse and plan.
   */
  const upsertJson = async (writer: ProjectionWriter, columns: readonly string[], rows: Row[]) => {
    const { qualified, name } = qualifiedTable(writer);
    const list = columns.map(quoteIdentifier).join(', ');
    await writer.query(
      `insert into ${qualified} (${list}) select ${list} from jsonb_populate_recordset(null::${qualified}, $1::jsonb)
         on conflict (${quoteIdentifier(options.key)}) do update set ${merge(name).join(', ')}`,
      [rowsJson(rows)],
    );
  };

  /**
   * A live batch's changed rows, in one statement (or more past MAX_PARAMETERS). A source
   * that has not written a row leaves its columns out: the table's defaults, and its
   * revision of -1 keeps them from overwriting what a concurrent writer put there.
   */
  const write = async (writer: ProjectionWriter, rows: Map<string, Row>, changed: Set<string>) => {
    if (changed.size === 0) return;
    const written = [...changed].map((key) => {
      const row = rows.get(key) as Row;
      const values: unknown[] = [key];
      for (const [source, { columns }] of Object.entries(options.sources)) {
        const revision = row[revisionColumns[source] as string] as bigint;
        for (const column of columns) values.push(revision >= 0n ? asBinding(row[column]) : DEFAULT);
        values.push(revision);
      }
      return values;
    });
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / (1 + columnCount)));
    for (let next = 0; next < written.length; next += perStatement) await upsertValues(writer, written.slice(next, next + perStatement));
  };

  /**
   * A fill's changed rows, as write does, in statements of up to ROWS_PER_STATEMENT rows
   * that name the same columns: rows go by which sources wrote them. Rows of `fresh` keys
   * are not in the table yet: where the writer can, they are inserted with COPY instead,
   * which costs the database a fraction of the upsert's parsing of JSON.
   */
  const writeMany = async (writer: ProjectionWriter, rows: Map<string, Row>, changed: Set<string>, fresh: ReadonlySet<string> = new Set()) => {
    const bySources = new Map<string, { columns: string[]; rows: Row[]; inserted: unknown[][] }>();
    for (const key of changed) {
      const row = rows.get(key) as Row;
      const wrote = sourceNames.filter((source) => (row[revisionColumns[source] as string] as bigint) >= 0n);
      const group = wrote.join(',');
      let statement = bySources.get(group);
      if (!statement) {
        const columns = [options.key, ...wrote.flatMap((source) => [...(options.sources[source]?.columns ?? []), revisionColumn(source)])];
        statement = { columns, rows: [], inserted: [] };
        bySources.set(group, statement);
      }
      if (writer.insertRows && fresh.has(key)) {
        statement.inserted.push(statement.columns.map((column) => row[column]));
        continue;
      }
      const written: Row = {};
      for (const column of statement.columns) {
        const value = row[column];
        // A revision as text: JSON.stringify would throw on a bigint and take its slow path.
        written[column] = typeof value === 'bigint' ? value.toString() : (value ?? null);
      }
      statement.rows.push(written);
    }
    for (const { columns, rows: grouped, inserted } of bySources.values()) {
      if (inserted.length > 0) await writer.insertRows?.(writer.table(options.table), columns, inserted);
      for (let next = 0; next < grouped.length; next += ROWS_PER_STATEMENT) await upsertJson(writer, columns, grouped.slice(next, next + ROWS_PER_STATEMENT));
    }
  };

  return { write, writeMany, revisionColumns };
};
