import { migrateOnce, quoteIdentifier, type SqlClient } from '@ordo/runtime';

/**
 * Where a relay or an embedded-bus consumer keeps how far it got in a store. Both event
 * store adapters give checkpoints as two unsigned integers, `<major>:<minor>`, ordered
 * as a pair (PostgreSQL: the writing transaction and the position; EventStoreDB: the
 * commit and prepare positions), which is how a save is kept from moving back.
 */
export interface CheckpointStore {
  load(name: string): Promise<string | undefined>;
  /**
   * Saves a checkpoint unless the one saved is further on; false when it was (a checkpoint
   * never moves back: whoever saved it is ahead of the caller).
   */
  save(name: string, checkpoint: string): Promise<boolean>;
  migrate(): Promise<void>;
}

const CHECKPOINT = /^\d{1,20}:\d{1,20}$/;

// The pair a checkpoint orders by; numeric, since a transaction id may pass bigint's range.
const pair = (column: string) => `(split_part(${column}, ':', 1)::numeric, split_part(${column}, ':', 2)::numeric)`;

/** Checkpoints in PostgreSQL, or PGlite in embedded mode. */
export const sqlCheckpointStore = (sql: SqlClient, options: { schema?: string } = {}): CheckpointStore => {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const table = `${schema}.ordo_checkpoints`;
  return {
    migrate: async () => {
      await migrateOnce(
        sql,
        table,
        `
        create schema if not exists ${schema};
        create table if not exists ${table} (name text primary key, checkpoint text not null, updated_at timestamptz not null default now());
      `,
      );
    },
    load: async (name) => {
      const { rows } = await sql.query<{ checkpoint: string }>(`select checkpoint from ${table} where name = $1`, [name]);
      return rows[0]?.checkpoint;
    },
    save: async (name, checkpoint) => {
      if (!CHECKPOINT.test(checkpoint))
        throw new Error(`checkpoint '${checkpoint}' of '${name}' is not '<integer>:<integer>', the form both event stores give`);
      // The comparison is in the statement, so two writers racing cannot move it back.
      const { rows } = await sql.query(
        `insert into ${table} as saved (name, checkpoint) values ($1, $2)
         on conflict (name) do update set checkpoint = excluded.checkpoint, updated_at = now()
         where ${pair('saved.checkpoint')} <= ${pair('excluded.checkpoint')}
         returning 1`,
        [name, checkpoint],
      );
      return rows.length === 1;
    },
  };
};
