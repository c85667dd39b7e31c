import { quoteIdentifier, type SqlClient } from '@ordo/runtime';
import type { StockRow } from './stock-row';

// The inventory view's reads: one row per sku that has a stream.

export const STOCK_TABLE = 'stock';

export type StoredStock = StockRow & { inventory_revision: string | number | bigint };

export interface StockQueries {
  bySku(sku: string): Promise<StoredStock | undefined>;
  /** A page in sku order; `limit + 1` rows are read so the caller knows whether more follow. */
  list(limit: number, after?: string): Promise<StoredStock[]>;
  /** The revision of the sku's stream the row reflects: -1n before any. */
  appliedRevision(sku: string): Promise<bigint>;
}

export const stockQueries = (sql: SqlClient, schema: string): StockQueries => {
  const table = `${quoteIdentifier(schema)}.${quoteIdentifier(STOCK_TABLE)}`;
  return {
    bySku: async (sku) => (await sql.query<StoredStock>(`select * from ${table} where sku = $1`, [sku])).rows[0],
    list: async (limit, after) => {
      const { rows } =
        after === undefined
          ? await sql.query<StoredStock>(`select * from ${table} order by sku limit $1`, [limit + 1])
          : await sql.query<StoredStock>(`select * from ${table} where sku > $1 order by sku limit $2`, [after, limit + 1]);
      return rows;
    },
    appliedRevision: async (sku) => {
      const { rows } = await sql.query<{ revision: string | number }>(`select inventory_revision as revision from ${table} where sku = $1`, [sku]);
      return rows[0] ? BigInt(rows[0].revision) : -1n;
    },
  };
};
