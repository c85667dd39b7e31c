import { rowProjection } from '@ordo/projections';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { STOCK_TABLE } from './queries';
import { evolveStock, STOCK_SOURCES, stockKeyOf, type StockRow } from './stock-row';

/** The inventory view: one row per sku, from the inventory topic; the key's index serves the list. */
export const inventoryViewProjection = rowProjection<StockRow>({
  name: 'inventory-view',
  version: 1,
  topics: [INVENTORY_EVENTS_TOPIC],
  table: STOCK_TABLE,
  key: 'sku',
  columns: (table) => {
    table.bigInteger('added').notNullable().defaultTo(0);
    table.bigInteger('available').notNullable().defaultTo(0);
    table.bigInteger('reserved').notNullable().defaultTo(0);
    table.bigInteger('dispatched').notNullable().defaultTo(0);
    table.jsonb('reservations').notNullable().defaultTo('{}');
  },
  sources: STOCK_SOURCES,
  keyOf: stockKeyOf,
  evolve: (row, event) => evolveStock(row, event),
});
