import { migrateOnce, quoteIdentifier, type SqlClient } from '@ordo/runtime';

/** Where a relay or an embedded-bus consumer keeps how far it got: opaque to the store. */
export interface CheckpointStore {
  load(name: string): Promise<string | undefined>;
  save(name: string, checkpoint: string): Promise<void>;
  migrate(): Promise<void>;
}

/** Checkpoints in PostgreSQL, or PGlite in embedded mode. */
export const sqlCheckpointStore = (sql: SqlClient, options: { schema?: string } = {}): CheckpointStore => {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const table = `${schema}.ordo_checkpoints`;
  return {
    migrate: async () => {
      await migrateOnce(sql, table, `
        create schema if not exists ${schema};
        create table if not exists ${table} (name text primary key, checkpoint text not null, updated_at timestamptz not null default now());
      `);
    },
    load: async (name) => {
      const { rows } = await sql.query<{ checkpoint: string }>(`select checkpoint from ${table} where name = $1`, [name]);
      return rows[0]?.checkpoint;
    },
    save: async (name, checkpoint) => {
      await sql.query(
        `insert into ${table} (name, checkpoint) values ($1, $2) on conflict (name) do update set checkpoint = excluded.checkpoint, updated_at = now()`,
        [name, checkpoint],
      );
    },
  };
};
