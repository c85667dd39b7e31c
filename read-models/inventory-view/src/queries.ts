import { quoteIdentifier, type SqlClient } from '@ordo/runtime';

// The inventory view's reads: one row per sku that has a stream, and one per order holding
// stock of it. A sku's counts and its reservations are read in one statement, so they are
// of one revision of its stream: the one its ETag names.

export const STOCK_TABLE = 'stock';
export const RESERVATIONS_TABLE = 'stock_reservations';

/** Counts as PostgreSQL gives them back: bigints may be strings. */
type Count = string | number;

export interface Reservation {
  orderId: string;
  quantity: number;
}

export interface StoredStock {
  sku: string;
  added: Count;
  available: Count;
  reserved: Count;
  dispatched: Count;
  inventory_revision: Count | bigint;
  /** Read only when asked for: which orders hold the reserved stock, in order id order. */
  reservations?: Reservation[];
}

export interface StockQueries {
  bySku(sku: string, withReservations: boolean): Promise<StoredStock | undefined>;
  /** A page in sku order; `limit + 1` rows are read so the caller knows whether more follow. */
  list(limit: number, after: string | undefined, withReservations: boolean): Promise<StoredStock[]>;
  /** The revision of the sku's stream the row reflects: -1n before any. */
  appliedRevision(sku: string): Promise<bigint>;
}

export const stockQueries = (sql: SqlClient, schema: string): StockQueries => {
  const table = `${quoteIdentifier(schema)}.${quoteIdentifier(STOCK_TABLE)}`;
  const reservations = `${quoteIdentifier(schema)}.${quoteIdentifier(RESERVATIONS_TABLE)}`;
  const columns = (withReservations: boolean) =>
    withReservations
      ? `stock.*, coalesce((select json_agg(json_build_object('orderId', held.order_id, 'quantity', held.quantity) order by held.order_id)
           from ${reservations} held where held.sku = stock.sku), '[]') as reservations`
      : 'stock.*';
  return {
    bySku: async (sku, withReservations) =>
      (await sql.query<StoredStock>(`select ${columns(withReservations)} from ${table} stock where sku = $1`, [sku])).rows[0],
    list: async (limit, after, withReservations) => {
      const { rows } =
        after === undefined
          ? await sql.query<StoredStock>(`select ${columns(withReservations)} from ${table} stock order by sku limit $1`, [limit + 1])
          : await sql.query<StoredStock>(`select ${columns(withReservations)} from ${table} stock where sku > $1 order by sku limit $2`, [after, limit + 1]);
      return rows;
    },
    appliedRevision: async (sku) => {
      const { rows } = await sql.query<{ revision: string | number }>(`select inventory_revision as revision from ${table} where sku = $1`, [sku]);
      return rows[0] ? BigInt(rows[0].revision) : -1n;
    },
  };
};
