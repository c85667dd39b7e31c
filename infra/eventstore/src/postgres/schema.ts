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
  await query(`
    create table if not exists ${s}.events (
      position bigserial primary key,
      transaction_id xid8 not null default pg_current_xact_id(),
      stream text not null,
      revision bigint not null,
      id uuid not null,
      type text not null,
      data jsonb not null,
      metadata jsonb not null,
      recorded_at timestamptz not null default now(),
      constraint events_stream_revision unique (stream, revision),
      constraint events_stream_id unique (stream, id)
    )`);
  await query(`create index if not exists events_read_all on ${s}.events (transaction_id, position)`);
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
  await query(`
    create or replace function ${s}.ordo_append(p_stream text, p_expected text, p_events jsonb)
    returns table (next_revision bigint, written boolean)
    language plpgsql as $$
    declare
      v_current bigint;
      v_new jsonb := p_events;
    begin
      select e.revision into v_current from ${s}.events e where e.stream = p_stream order by e.revision desc limit 1;
      if v_current is null then
        v_current := -1;
      else
        -- Events already stored in this stream are not stored again: a retry writes nothing.
        select coalesce(jsonb_agg(x.value order by x.ordinality), '[]'::jsonb) into v_new
          from jsonb_array_elements(p_events) with ordinality x
         where not exists (select 1 from ${s}.events e where e.stream = p_stream and e.id = (x.value->>'id')::uuid);
        if jsonb_array_length(v_new) = 0 then
          return query select v_current, false;
          return;
        end if;
      end if;
      if (p_expected = 'no_stream' and v_current <> -1)
         or (p_expected = 'stream_exists' and v_current = -1)
         or (p_expected not in ('any', 'no_stream', 'stream_exists') and v_current <> p_expected::bigint) then
        raise exception 'ordo:wrong_expected_revision' using detail = v_current::text;
      end if;
      insert into ${s}.events (stream, revision, id, type, data, metadata)
        select p_stream, v_current + x.ordinality, (x.value->>'id')::uuid, x.value->>'type', x.value->'data', x.value->'metadata'
          from jsonb_array_elements(v_new) with ordinality x;
      return query select v_current + jsonb_array_length(v_new), true;
    end $$`);
};
