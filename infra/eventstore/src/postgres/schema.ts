import type { PgDriver } from './driver';

/**
 * Tables, indexes and the append function, created idempotently on start in the
 * store's own schema (database per service).
 *
 * Readers never skip an event although transactions take positions in one order and
 * commit in another: every event records the id of the transaction that wrote it, and
 * readers order by (transaction id, position) and read only transactions older than
 * the oldest one still running (`pg_snapshot_xmin`), all of which have ended.
 */
export const migrate = (driver: PgDriver, schema: string): Promise<void> =>
  // Several processes may start at once: one migrates, the others wait, then find it done.
  driver.transaction(async (query) => {
    await query('select pg_advisory_xact_lock(hashtext($1))', [`ordo-eventstore:${schema}`]);
    await createObjects(query, `"${schema}"`);
  });

const createObjects = async (query: PgDriver['query'], s: string): Promise<void> => {
  await query(`create schema if not exists ${s}`);
  // The primary key is the reading order, so readAll needs no index of its own.
  await query(`
    create table if not exists ${s}.events (
      position bigserial not null,
      transaction_id xid8 not null default pg_current_xact_id(),
      stream text not null,
      revision bigint not null,
      id uuid not null,
      type text not null,
      data jsonb not null,
      metadata jsonb not null,
      recorded_at timestamptz not null default now(),
      constraint events_read_order primary key (transaction_id, position),
      constraint events_stream_revision unique (stream, revision),
      constraint events_stream_id unique (stream, id)
    )`);
  await query(`
    create table if not exists ${s}.snapshots (
      stream text primary key,
      revision bigint not null,
      version integer not null,
      state jsonb not null,
      saved_at timestamptz not null default now()
    )`);
  // One round trip per append. Optimistic: the unique (stream, revision) constraint is
  // the concurrency guard, so no stream row is locked or written; of two appends at one
  // expected revision, the second fails on that constraint once the first commits.
  // Idempotency costs nothing on the happy path either: an event already stored fails
  // the unique (stream, id) constraint, and the caller then finds the whole append stored.
  // Only when the stream is not where the append expected are its ids looked up, through
  // EXECUTE: a cached generic plan for that lookup would read the whole stream.
  // OUT parameters, not RETURNS TABLE: one row, without a tuplestore, per call.
  // It refuses to run in a transaction that already wrote (see its first lines).
  await query(`
    create or replace function ${s}.ordo_append(p_stream text, p_expected text, p_events jsonb, out next_revision bigint, out written boolean)
    language plpgsql as $$
    declare
      v_current bigint;
      v_all_stored boolean;
    begin
      -- Readers order events by the id of the transaction that wrote them, which is
      -- right only if that id was taken at the append: a transaction that wrote before
      -- took an older id, and its events could land behind a reader's checkpoint.
      if pg_current_xact_id_if_assigned() is not null then
        raise exception 'ordo_append must run in a transaction that has not written yet: this one already has a transaction id (%), so readers could miss these events'
          , pg_current_xact_id_if_assigned()
          using errcode = 'invalid_transaction_state', hint = 'append outside the transaction, or before its first write';
      end if;
      select e.revision into v_current from ${s}.events e where e.stream = p_stream order by e.revision desc limit 1;
      v_current := coalesce(v_current, -1);
      if (p_expected = 'no_stream' and v_current <> -1)
         or (p_expected = 'stream_exists' and v_current = -1)
         or (p_expected not in ('any', 'no_stream', 'stream_exists') and v_current <> p_expected::bigint) then
        -- A retry of an append that was stored is not a conflict: it answers as the first did.
        execute 'select not exists (select 1 from jsonb_array_elements($1) x where not exists '
             || '(select 1 from ${s}.events e where e.stream = $2 and e.id = (x.value->>''id'')::uuid))'
           into v_all_stored using p_events, p_stream;
        if v_all_stored then
          next_revision := v_current;
          written := false;
          return;
        end if;
        raise exception 'ordo:wrong_expected_revision' using detail = v_current::text;
      end if;
      insert into ${s}.events (stream, revision, id, type, data, metadata)
        select p_stream, v_current + x.ordinality, (x.value->>'id')::uuid, x.value->>'type', x.value->'data', x.value->'metadata'
          from jsonb_array_elements(p_events) with ordinality x;
      next_revision := v_current + jsonb_array_length(p_events);
      written := true;
    end $$`);
};
