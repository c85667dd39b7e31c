// The SQL adapter of orders' price table: `<schema>.prices`, fed from catalog's events
// (messaging.ts) and read when an order is placed. Each row is guarded by the revision
// of its source stream (`product-<sku>`), so a redelivered or late older event never
// overwrites a newer price.
import { migrateOnce, quoteIdentifier, type Query, type TransactionalSql } from '@ordo/runtime';
import type { Price, PriceTable } from './application/handlers';

/** A catalog event as the price table applies it, with its revision in `product-<sku>`. */
export type PriceUpdate =
  | { type: 'ProductAdded'; sku: string; name: string; priceCents: number; revision: bigint }
  | { type: 'PriceChanged'; sku: string; priceCents: number; revision: bigint };

interface PriceRow {
  sku: string;
  name: string;
  price_cents: number;
}

export const sqlPriceTable = (sql: TransactionalSql, schema: string) => {
  const table = `${quoteIdentifier(schema)}.prices`;

  const pricesOf: PriceTable['pricesOf'] = async (skus) => {
    if (skus.length === 0) return new Map();
    const { rows } = await sql.query<PriceRow>(`select sku, name, price_cents from ${table} where sku = any($1::text[])`, [skus]);
    return new Map(rows.map((row): [string, Price] => [row.sku, { name: row.name, priceCents: row.price_cents }]));
  };

  /** Applies an update inside the caller's transaction (the inbox's): false when the row already reflects a newer revision. */
  const apply = async (query: Query, update: PriceUpdate): Promise<boolean> => {
    const revision = update.revision.toString();
    switch (update.type) {
      case 'ProductAdded': {
        const { rows } = await query(
          `insert into ${table} (sku, name, price_cents, revision) values ($1, $2, $3, $4)
           on conflict (sku) do update set name = excluded.name, price_cents = excluded.price_cents, revision = excluded.revision
           where ${table}.revision < excluded.revision
           returning 1 as applied`,
          [update.sku, update.name, update.priceCents, revision],
        );
        return rows.length > 0;
      }
      case 'PriceChanged': {
        // Its ProductAdded is an earlier revision of the same stream, delivered first
        // (order is kept per key), so the row exists: an update is enough.
        const { rows } = await query(`update ${table} set price_cents = $2, revision = $3 where sku = $1 and revision < $3 returning 1 as applied`, [
          update.sku,
          update.priceCents,
          revision,
        ]);
        return rows.length > 0;
      }
      default: {
        const unknown: never = update;
        throw new Error(`unknown price update ${JSON.stringify(unknown)}`);
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
        create table if not exists ${table} (sku text primary key, name text not null, price_cents integer not null, revision bigint not null);
      `,
      ),
    pricesOf,
    apply,
  };
};

export type SqlPriceTable = ReturnType<typeof sqlPriceTable>;
