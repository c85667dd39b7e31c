import { migrateOnce, quoteIdentifier, type Query, type TransactionalSql } from '@ordo/runtime';

// The inbox runs on any transactional database: a pg pool (local mode) or PGlite (embedded).
export { pgPoolSql as pgPoolDatabase, pgliteSql as pgliteDatabase, type TransactionalSql as TransactionalDatabase, type Query } from '@ordo/runtime';

/**
 * Effects that live only in PostgreSQL (projections) get exactly-once from the inbox:
 * the handler's writes and the processed message id commit in one transaction, so a
 * redelivered message finds its id and has no second effect.
 */
export const inbox = (database: TransactionalSql, options: { schema?: string } = {}) => {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const table = `${schema}.ordo_inbox`;
  return {
    database,
    migrate: async () => {
      await migrateOnce(
        database,
        table,
        `
        create schema if not exists ${schema};
        create table if not exists ${table} (consumer text not null, message_id text not null, processed_at timestamptz not null default now(), primary key (consumer, message_id));
        create index if not exists ordo_inbox_by_age on ${table} (consumer, processed_at);
      `,
      );
    },
    /**
     * Runs work inside a transaction that first records the message as processed; a
     * message already recorded is skipped (false). Recording first also makes a
     * concurrent duplicate (during a rebalance) wait for the first and then skip.
     */
    once: (consumer: string, messageId: string, work: (query: Query) => Promise<void>): Promise<boolean> =>
      database.transaction(async (query) => {
        const { rows } = await query(`insert into ${table} (consumer, message_id) values ($1, $2) on conflict do nothing returning 1 as fresh`, [
          consumer,
          messageId,
        ]);
        if (rows.length === 0) return false;
        await work(query);
        return true;
      }),
    /**
     * Runs work for several messages inside one transaction that first records all their
     * ids (one statement), so a chunk of a batch costs one commit. work is given
     * `fresh(id)`, true once for each id not recorded before: a redelivered message, or
     * one repeated within the chunk, is skipped. A throw rolls back every id and effect.
     */
    onceEach: (consumer: string, messageIds: string[], work: (query: Query, fresh: (messageId: string) => boolean) => Promise<void>): Promise<void> =>
      database.transaction(async (query) => {
        // Nearly always every id is new: then one row with a count comes back, not a row an
        // id to parse (a feed catching up takes chunks of hundreds). The ids come back only when some
        // were recorded before, to tell which.
        const distinct = new Set(messageIds);
        const { rows } = await query<{ recorded: number; ids: string[] | null }>(
          `with recorded as (insert into ${table} (consumer, message_id) select $1, unnest($2::text[]) on conflict do nothing returning message_id)
           select count(*)::int as recorded, case when count(*) < $3 then array_agg(message_id) end as ids from recorded`,
          [consumer, messageIds, distinct.size],
        );
        const { recorded = 0, ids = null } = rows[0] ?? {};
        const unseen = recorded === distinct.size ? distinct : new Set(ids ?? []);
        await work(query, (messageId) => unseen.delete(messageId));
      }),
    /** Forgets the consumer's ids recorded more than retentionMs ago; the rows deleted. */
    prune: async (consumer: string, retentionMs: number): Promise<number> => {
      const { rows } = await database.query<{ n: number }>(
        `with gone as (delete from ${table} where consumer = $1 and processed_at < now() - make_interval(secs => $2) returning 1) select count(*)::int as n from gone`,
        [consumer, retentionMs / 1000],
      );
      return rows[0]?.n ?? 0;
    },
  };
};

export type Inbox = ReturnType<typeof inbox>;
