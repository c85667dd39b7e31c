import type { Knex } from 'knex';

// What a projection is (docs/projections.md): the events it reads, the tables it owns, and
// how an event changes them. A runner feeds it from Kafka, from the embedded bus, or, in a
// rebuild, straight from the context stores; the projection cannot tell which.

/** An event as a projection sees it: from the topic's message value, or read from its store. */
export interface ProjectedEvent<Data = unknown> {
  id: string;
  /** The source stream: `order-42`. */
  stream: string;
  /** Its place in that stream, from 0: what the revision guards compare. */
  revision: bigint;
  type: string;
  data: Data;
  /** When the store recorded it: what the lag in seconds is measured from. */
  recordedAt: Date;
  correlationId?: string;
  causationId?: string;
  /** The W3C trace context of the request that caused it, when it had one. */
  traceparent?: string;
}

/**
 * A table a projection owns. `name` is logical (`orders`); the runner gives the physical
 * name (the live table, or a shadow one during a rebuild) to `create` and to every write.
 */
export interface ProjectionTable {
  name: string;
  /** Creates the table under that physical name: columns, keys and indexes (`schema.createTable(name, ...)`). */
  create(schema: Knex.SchemaBuilder, physicalName: string): Knex.SchemaBuilder;
}

/** Where a batch's writes go: knex to build them, `run` to execute them in the batch's transaction. */
export interface ProjectionWriter {
  /** A query builder (no connection of its own): build with it, execute with `run`. */
  readonly knex: Knex;
  /** The physical name of one of the projection's tables, schema-qualified. */
  table(name: string): string;
  run<Row = Record<string, unknown>>(query: Knex.QueryBuilder | Knex.Raw): Promise<Row[]>;
  /** Runs SQL with `$1`-style parameters as it is: for statements too large for knex to build quickly. */
  query<Row = Record<string, unknown>>(sql: string, values: readonly unknown[]): Promise<Row[]>;
  /**
   * Given only while a rebuild fills its shadow tables, which nothing else writes until the
   * swap's catch-up: `apply` may keep rows there between batches and write them later, in
   * fewer and larger statements. The catch-up and the live runner give none.
   */
  readonly fill?: ShadowFill;
  /**
   * Inserts rows that are not in the table yet (COPY: a fraction of an insert's cost to
   * the database), where the connection can; a row already there fails the transaction.
   */
  insertRows?(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
}

/** What a projection keeps in a rebuild's fill: written when it likes, and at the latest by `flush`. */
export interface KeptState {
  /**
   * Writes everything still held; the rebuild calls it once, after the last batch and
   * after every write aside has committed, before the catch-up.
   */
  flush(writer: ProjectionWriter): Promise<void>;
}

/**
 * A rebuild's fill: the shadow tables start empty, without their secondary indexes (made
 * after the fill), and nothing but the fill writes them until its flush.
 */
export interface ShadowFill {
  /** The state kept under this name, made by `create` on first use. */
  keep<S extends KeptState>(name: string, create: () => S): S;
  /**
   * Runs `write` in a transaction of its own, after the writes aside before it, while the
   * fill reads on: the database writes one part of the shadow tables while the next is
   * folded. Settles once it has committed; a failure fails the rebuild. Never await it in
   * `apply`: on one connection (PGlite) it starts only after apply's transaction ends.
   */
  writeAside(write: (writer: ProjectionWriter) => Promise<void>): Promise<void>;
}

export interface Projection {
  /** Its consumer group, its tables' registry row, its metric label: `orders-view`. */
  name: string;
  /** Changing it rebuilds the projection's tables from the beginning. */
  version: number;
  /** The event topics it reads: `ordo.orders.events`. */
  topics: string[];
  /**
   * The event types it handles. Given, the others are passed over before any write (a chunk
   * of them costs only its checkpoint), and a rebuild from the stores reads only these.
   */
  handles?: string[];
  /**
   * How long its live consumer lets events gather before it applies them, in ms (default
   * 250, consumer.ts). A view that may be further behind (a dashboard) gathers longer: an
   * aggregate's several events then fold into one write of its row.
   */
  gatherMs?: number;
  tables: ProjectionTable[];
  /**
   * Applies a batch of events (in order per stream; streams interleaved in any order) in
   * the batch's transaction, which also records the checkpoint. An event applied twice,
   * or the streams interleaved differently, must give the same rows: the revision guards.
   * A throw rolls the batch back; the runner then applies its events one at a time and
   * parks the key of the one that still fails.
   */
  apply(events: ProjectedEvent[], writer: ProjectionWriter): Promise<void>;
}
