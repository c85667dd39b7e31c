import type { Projection, ProjectedEvent, ProjectionWriter } from '@ordo/projections';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { quoteIdentifier } from '@ordo/runtime';
import { RESERVATIONS_TABLE, STOCK_TABLE } from './queries';
import { foldStockEvents, orderOf, reservationKey, type StockEvent, type StoredCounts } from './stock-fold';
import { STOCK_PREFIX, stockKeyOf } from './stock-row';

// The inventory view: a row per sku with its counts, and a row per order holding stock of
// it. Version 1 kept a sku's reservations as one jsonb record in its row, copied at each of
// its events and written whole at each batch: a flash sale's sku holds thousands until they
// are dispatched (docs/decisions.md, "inventory-view keeps a row per reservation").
//
// A batch locks its skus' rows, reads the reservations its events name, folds, and writes
// both tables: a replay in place and the live runner take turns on a sku, so neither
// writes reservations folded from a revision the other has passed.

/** The table's physical name, schema-qualified and quoted; `name` alone is how its own statement refers to it. */
const physical = (writer: ProjectionWriter, table: string) => {
  const [schema, name] = writer.table(table).split('.').map(quoteIdentifier) as [string, string];
  return { qualified: `${schema}.${name}`, name };
};
const qualified = (writer: ProjectionWriter, table: string) => physical(writer, table).qualified;

/** Each concerned event with its sku, in the batch's order. */
const stockEventsOf = (events: ProjectedEvent[]): StockEvent[] =>
  events.flatMap((event) => {
    const sku = event.stream.startsWith(STOCK_PREFIX) ? stockKeyOf(event) : undefined;
    return sku === undefined ? [] : [{ event, sku }];
  });

interface CountsRow {
  sku: string;
  added: string | number;
  available: string | number;
  reserved: string | number;
  dispatched: string | number;
  inventory_revision: string | number | bigint;
}

/**
 * The skus' counts as stored, their rows locked for the batch. A sku without a row gets one
 * first (no events: revision -1), so that it is locked too; the batch writes it before it
 * commits. Sorted, the skus are locked in the same order by every writer.
 */
const lockCounts = async (writer: ProjectionWriter, skus: string[]): Promise<Map<string, StoredCounts>> => {
  const table = qualified(writer, STOCK_TABLE);
  const lock = (some: string[]) =>
    writer.query<CountsRow>(
      `select sku, added, available, reserved, dispatched, inventory_revision from ${table} where sku = any($1::text[]) order by sku for update`,
      [some],
    );
  const rows = await lock(skus);
  if (rows.length < skus.length) {
    const found = new Set(rows.map(({ sku }) => sku));
    const missing = skus.filter((sku) => !found.has(sku));
    await writer.query(`insert into ${table} (sku) select unnest($1::text[]) on conflict do nothing`, [missing]);
    rows.push(...(await lock(missing)));
  }
  // Counts read back may be strings (bigint): numbers from here on.
  return new Map(
    rows.map((row) => [
      row.sku,
      {
        added: Number(row.added),
        available: Number(row.available),
        reserved: Number(row.reserved),
        dispatched: Number(row.dispatched),
        revision: BigInt(row.inventory_revision),
      },
    ]),
  );
};

/** What the batch's orders hold of its skus before it, by reservationKey. */
const heldBefore = async (writer: ProjectionWriter, events: StockEvent[]): Promise<Map<string, number>> => {
  const pairs = new Map<string, [string, string]>();
  for (const { event, sku } of events) {
    const orderId = orderOf(event);
    if (orderId !== undefined) pairs.set(reservationKey(sku, orderId), [sku, orderId]);
  }
  if (pairs.size === 0) return new Map();
  const named = [...pairs.values()];
  const rows = await writer.query<{ sku: string; order_id: string; quantity: string | number }>(
    `select sku, order_id, quantity from ${qualified(writer, RESERVATIONS_TABLE)}
      where (sku, order_id) in (select * from unnest($1::text[], $2::text[]))`,
    [named.map(([sku]) => sku), named.map(([, orderId]) => orderId)],
  );
  return new Map(rows.map((row) => [reservationKey(row.sku, row.order_id), Number(row.quantity)]));
};

const writeCounts = async (writer: ProjectionWriter, counts: Map<string, StoredCounts>, changed: Set<string>) => {
  const { qualified: table, name } = physical(writer, STOCK_TABLE);
  const skus = [...changed];
  const column = (pick: (row: StoredCounts) => number | bigint) => skus.map((sku) => String(pick(counts.get(sku) as StoredCounts)));
  await writer.query(
    `insert into ${table} (sku, added, available, reserved, dispatched, inventory_revision)
     select * from unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
     on conflict (sku) do update set added = excluded.added, available = excluded.available, reserved = excluded.reserved,
       dispatched = excluded.dispatched, inventory_revision = excluded.inventory_revision
     where excluded.inventory_revision > ${name}.inventory_revision`,
    [
      skus,
      column((row) => row.added),
      column((row) => row.available),
      column((row) => row.reserved),
      column((row) => row.dispatched),
      column((row) => row.revision),
    ],
  );
};

/** One statement: the reservations the batch ended deleted, the ones it made (or changed) upserted. */
const writeReservations = async (writer: ProjectionWriter, reservations: Iterable<{ sku: string; orderId: string; quantity: number | null }>) => {
  const [freed, holding] = [[] as { sku: string; orderId: string }[], [] as { sku: string; orderId: string; quantity: number }[]];
  for (const reservation of reservations) {
    if (reservation.quantity === null) freed.push(reservation);
    else holding.push({ ...reservation, quantity: reservation.quantity });
  }
  if (freed.length === 0 && holding.length === 0) return;
  const table = qualified(writer, RESERVATIONS_TABLE);
  await writer.query(
    `with freed as (
       delete from ${table} held using unnest($1::text[], $2::text[]) as ended(sku, order_id)
        where held.sku = ended.sku and held.order_id = ended.order_id)
     insert into ${table} (sku, order_id, quantity) select * from unnest($3::text[], $4::text[], $5::bigint[])
     on conflict (sku, order_id) do update set quantity = excluded.quantity`,
    [
      freed.map(({ sku }) => sku),
      freed.map(({ orderId }) => orderId),
      holding.map(({ sku }) => sku),
      holding.map(({ orderId }) => orderId),
      holding.map(({ quantity }) => quantity),
    ],
  );
};

export const inventoryViewProjection: Projection = {
  name: 'inventory-view',
  version: 2,
  topics: [INVENTORY_EVENTS_TOPIC],
  tables: [
    {
      name: STOCK_TABLE,
      // The key's index serves the list.
      create: (schema, physicalName) =>
        schema.createTable(physicalName, (table) => {
          table.text('sku').primary();
          table.bigInteger('added').notNullable().defaultTo(0);
          table.bigInteger('available').notNullable().defaultTo(0);
          table.bigInteger('reserved').notNullable().defaultTo(0);
          table.bigInteger('dispatched').notNullable().defaultTo(0);
          table.bigInteger('inventory_revision').notNullable().defaultTo(-1);
        }),
    },
    {
      name: RESERVATIONS_TABLE,
      create: (schema, physicalName) =>
        schema.createTable(physicalName, (table) => {
          table.text('sku').notNullable();
          table.text('order_id').notNullable();
          table.bigInteger('quantity').notNullable();
          table.primary(['sku', 'order_id']);
        }),
    },
  ],
  apply: async (events, writer) => {
    const concerned = stockEventsOf(events);
    if (concerned.length === 0) return;
    const stored = await lockCounts(writer, [...new Set(concerned.map(({ sku }) => sku))].sort());
    const { counts, changed, reservations } = foldStockEvents(concerned, stored, await heldBefore(writer, concerned));
    if (changed.size === 0) return;
    await writeCounts(writer, counts, changed);
    await writeReservations(writer, reservations.values());
  },
};
