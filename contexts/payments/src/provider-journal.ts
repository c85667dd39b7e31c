// The simulated provider's books on disk: `<schema>.simulated_provider_journal` in
// payments' own database, one row per idempotency key, written before the answer is
// given. A real provider keeps its books across our restarts; without this, a payments
// process killed and started again would decline the captures and voids of the
// authorizations it made before.
import { migrateOnce, quoteIdentifier, type SqlClient } from '@ordo/runtime';
import type { ProviderOperation, ProviderResult } from './domain/payment';

/** One answer the provider gave, with what it needs to replay it into its books. */
export interface JournalEntry {
  idempotencyKey: string;
  operation: ProviderOperation;
  orderId: string;
  amountCents: number;
  /** The request's other fields: the card token of an authorization, the authorization or capture a later call acts on. */
  details: Record<string, unknown>;
  answer: ProviderResult;
}

export interface ProviderJournal {
  /**
   * Writes an answer; one already written under its key stays as it is. Resolves to the
   * entry the key holds: this one, or the one another process on the journal (a replica)
   * wrote first.
   */
  record(entry: JournalEntry): Promise<JournalEntry>;
  /** Every answer written, oldest first. */
  entries(): Promise<JournalEntry[]>;
  /** Every answer written for one order, oldest first: what any replica did to its payment. */
  entriesOf(orderId: string): Promise<JournalEntry[]>;
}

interface JournalRow {
  idempotency_key: string;
  operation: ProviderOperation;
  order_id: string;
  amount_cents: number;
  details: Record<string, unknown>;
  answer: ProviderResult;
}

const SELECT = 'select idempotency_key, operation, order_id, amount_cents, details, answer';
const entryOf = (row: JournalRow): JournalEntry => ({
  idempotencyKey: row.idempotency_key,
  operation: row.operation,
  orderId: row.order_id,
  amountCents: row.amount_cents,
  details: row.details,
  answer: row.answer,
});

export const sqlProviderJournal = (sql: SqlClient, schema: string): ProviderJournal & { migrate(): Promise<void> } => {
  const table = `${quoteIdentifier(schema)}.simulated_provider_journal`;
  return {
    migrate: () =>
      migrateOnce(
        sql,
        table,
        `
        create schema if not exists ${quoteIdentifier(schema)};
        create table if not exists ${table} (
          seq bigint generated always as identity primary key,
          idempotency_key text not null unique,
          operation text not null,
          order_id text not null,
          amount_cents integer not null,
          details jsonb not null,
          answer jsonb not null,
          recorded_at timestamptz not null default now()
        );
        create index if not exists simulated_provider_journal_order on ${table} (order_id, seq);
      `,
      ),
    record: async (entry) => {
      const { idempotencyKey, operation, orderId, amountCents, details, answer } = entry;
      const { rows } = await sql.query(
        `insert into ${table} (idempotency_key, operation, order_id, amount_cents, details, answer) values ($1, $2, $3, $4, $5, $6)
         on conflict (idempotency_key) do nothing returning seq`,
        [idempotencyKey, operation, orderId, amountCents, JSON.stringify(details), JSON.stringify(answer)],
      );
      if (rows.length > 0) return entry;
      const { rows: kept } = await sql.query<JournalRow>(`${SELECT} from ${table} where idempotency_key = $1`, [idempotencyKey]);
      return entryOf(kept[0] as JournalRow);
    },
    entries: async () => (await sql.query<JournalRow>(`${SELECT} from ${table} order by seq`)).rows.map(entryOf),
    entriesOf: async (orderId) => (await sql.query<JournalRow>(`${SELECT} from ${table} where order_id = $1 order by seq`, [orderId])).rows.map(entryOf),
  };
};
