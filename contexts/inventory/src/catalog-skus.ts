// The SQL adapter of inventory's copy of catalog: `<schema>.catalog_skus`, the skus
// catalog has a product for, fed from catalog's events (catalog-feed.ts) and asked
// before stock is added or shown. Inventory never reads catalog's database: this copy
// is filled through the bus, so a product just added is known here a moment later.
// Each row is guarded by the revision of its source stream (`product-<sku>`), so a
// redelivered or late older event never overwrites what a newer one recorded.
import { migrateOnce, quoteIdentifier, type Query, type TransactionalSql } from '@ordo/runtime';
import type { CatalogSkus } from './application/handlers';

/** A catalog event as the copy applies it, with its revision in `product-<sku>`. */
export type CatalogSkuUpdate = { type: 'ProductAdded'; sku: string; revision: bigint };

export const sqlCatalogSkus = (sql: TransactionalSql, schema: string) => {
  const table = `${quoteIdentifier(schema)}.catalog_skus`;

  const knows: CatalogSkus['knows'] = async (sku) => {
    const { rows } = await sql.query(`select 1 from ${table} where sku = $1`, [sku]);
    return rows.length > 0;
  };

  /** Applies an update inside the caller's transaction (the inbox's): false when the row already reflects this or a newer revision. */
  const apply = async (query: Query, update: CatalogSkuUpdate): Promise<boolean> => {
    switch (update.type) {
      case 'ProductAdded': {
        const { rows } = await query(
          `insert into ${table} (sku, revision) values ($1, $2)
           on conflict (sku) do update set revision = excluded.revision
           where ${table}.revision < excluded.revision
           returning 1 as applied`,
          [update.sku, update.revision.toString()],
        );
        return rows.length > 0;
      }
      default: {
        const unknown: never = update.type;
        throw new Error(`unknown catalog sku update ${JSON.stringify(unknown)}`);
      }
    }
  };

  return {
    migrate: () =>
      migrateOnce(
        sql,
        table,
        `
        create schema if not exists ${quoteIdentifier(schema)};
        create table if not exists ${table} (sku text primary key, revision bigint not null);
      `,
      ),
    knows,
    apply,
  };
};

export type SqlCatalogSkus = ReturnType<typeof sqlCatalogSkus>;
