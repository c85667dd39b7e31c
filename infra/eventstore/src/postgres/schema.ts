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
  // Optimistic: the unique (stream, revision) constraint is the concurrency guard, so no
  // stream row is locked or written; of two appends at one expected revision, the second
  // fails on that constraint once the first commits. Idempotency costs nothing on the
  // happy path either: an event already stored fails the unique (stream, id) constraint,
  // and the caller then finds the whole append stored. Only when the stream is not where
  // the append expected are its ids looked up, through EXECUTE: a cached generic plan for
  // that lookup would read the whole stream.
  // ordo_append_one answers 'w' (written), 's' (stored already: a retry, nothing written)
  // or 'c' (a conflict: next_revision is then the stream's current revision, -1 for none).
  await query(`
    create or replace function ${s}.ordo_append_one(p_stream text, p_expected text, p_events jsonb, out next_revision bigint, out outcome text)
    language plpgsql as $$
    declare
      v_current bigint;
      v_all_stored boolean;
    begin
      select e.revision into v_current from ${s}.events e where e.stream = p_stream order by e.revision desc limit 1;
      v_current := coalesce(v_current, -1);
      if (p_expected = 'no_stream' and v_current <> -1)
         or (p_expected = 'stream_exists' and v_current = -1)
         or (p_expected not in ('any', 'no_stream', 'stream_exists') and v_current <> p_expected::bigint) then
        -- A retry of an append that was stored is not a conflict: it answers as the first did.
        execute 'select not exists (select 1 from jsonb_array_elements($1) x where not exists '
             || '(select 1 from ${s}.events e where e.stream = $2 and e.id = (x.value->>''id'')::uuid))'
           into v_all_stored using p_events, p_stream;
        next_revision := v_current;
        outcome := case when v_all_stored then 's' else 'c' end;
        return;
      end if;
      insert into ${s}.events (stream, revision, id, type, data, metadata)
        select p_stream, v_current + x.ordinality, (x.value->>'id')::uuid, x.value->>'type', x.value->'data', x.value->'metadata'
          from jsonb_array_elements(p_events) with ordinality x;
      next_revision := v_current + jsonb_array_length(p_events);
      outcome := 'w';
    end $$`);
  // Readers order events by the id of the transaction that wrote them, which is right only
  // if that id was taken at the append: a transaction that wrote before took an older id,
  // and its events could land behind a reader's checkpoint. So both entry points refuse
  // to run in a transaction that already wrote.
  const refuseAfterWrites = `
      if pg_current_xact_id_if_assigned() is not null then
        raise exception 'ordo_append must run in a transaction that has not written yet: this one already has a transaction id (%), so readers could miss these events'
          , pg_current_xact_id_if_assigned()
          using errcode = 'invalid_transaction_state', hint = 'append outside the transaction, or before its first write';
      end if;`;
  // One append, one round trip. OUT parameters, not RETURNS TABLE: one row, without a
  // tuplestore, per call.
  await query(`
    create or replace function ${s}.ordo_append(p_stream text, p_expected text, p_events jsonb, out next_revision bigint, out written boolean)
    language plpgsql as $$
    declare
      v_outcome text;
    begin${refuseAfterWrites}
      select o.next_revision, o.outcome into next_revision, v_outcome from ${s}.ordo_append_one(p_stream, p_expected, p_events) o;
      if v_outcome = 'c' then
        raise exception 'ordo:wrong_expected_revision' using detail = next_revision::text;
      end if;
      written := v_outcome = 'w';
    end $$`);
  // Where an append that has just inserted its events (in transaction p_tx) stands in the
  // reading order: the checkpoint of the last event before its first, and '' when there is
  // none. Null while an older transaction that may still commit events before these is
  // running. Volatile, so that each of its queries takes a snapshot of its own, after p_tx
  // was assigned (appendBatchStatement; store.ts, "Handing over"):
  // - The snapshot's xmin, the oldest transaction still running with p_tx's own included,
  //   is p_tx itself only when every older one in the cluster has ended.
  // - Otherwise only those that hold a write lock on this table can matter. An append
  //   takes that lock before its transaction id, and must be its transaction's first
  //   write (ordo_append), so an older transaction without the lock has written no event
  //   here and never will. One that had it and has ended committed before it let go, so
  //   the next query's snapshot sees its events.
  await query(`
    create or replace function ${s}.ordo_events_before(p_tx xid8) returns text
    language plpgsql volatile as $$
    begin
      if p_tx is null then
        return null;
      end if;
      if pg_snapshot_xmin(pg_current_snapshot()) < p_tx and exists (
           select 1 from pg_locks l
            where l.locktype = 'relation' and l.relation = '${s}.events'::regclass and l.mode = 'RowExclusiveLock'
              and l.database = (select d.oid from pg_database d where d.datname = current_database())
              -- A prepared transaction's locks have no pid: they count too.
              and l.pid is distinct from pg_backend_pid()) then
        return null;
      end if;
      return coalesce((select e.transaction_id::text || ':' || e.position from ${s}.events e
                        where e.transaction_id < p_tx order by e.transaction_id desc, e.position desc limit 1), '');
    end $$`);
  // Several appends in one transaction, one after another, each with its own expected
  // revision and answer, and each seeing the events of those before it: appendBatchStatement's
  // slow path. p_appends is as there; outcomes holds one character per append,
  // next_revisions a revision each.
  await query(`
    create or replace function ${s}.ordo_append_batch(p_appends jsonb, out next_revisions bigint[], out outcomes text)
    language plpgsql as $$
    declare
      v_append jsonb;
      v_next bigint;
      v_outcome text;
    begin${refuseAfterWrites}
      next_revisions := '{}';
      outcomes := '';
      for v_append in select x.value from jsonb_array_elements(p_appends) x loop
        select o.next_revision, o.outcome into v_next, v_outcome
          from ${s}.ordo_append_one(v_append->>'s', v_append->>'e', v_append->'v') o;
        next_revisions := next_revisions || v_next;
        outcomes := outcomes || v_outcome;
      end loop;
    end $$`);
};

/**
 * Several appends in one statement, so one transaction and one commit (group-commit.ts):
 * $1 = [{"s": stream, "e": expected, "v": events}, …]. When every append is to a stream of
 * its own and finds it where it expected, which is nearly always, the events are inserted
 * and `heads` holds the revision each append found (add its event count for the next).
 * Otherwise nothing is written, `written` is false, and the caller hands them to
 * ordo_append_batch, which takes them one after another. A plain statement, not a function:
 * one round trip cheaper than PL/pgSQL's, and it runs only where the store itself sends it,
 * outside any transaction (what ordo_append checks for its callers).
 *
 * With `returnEvents`, `events` also holds what was inserted, as a subscription's read
 * would return it (transaction id, position, stream, revision, id, type, data, metadata,
 * time, in position order): the events a store hands to its subscriptions (store.ts,
 * "Handing over"). With `eventsBefore` as well, `before` holds what ordo_events_before
 * answers for them, which a server's concurrent transactions need and PGlite's serial
 * ones do not.
 */
export const appendBatchStatement = (
  schema: string,
  { returnEvents = false, eventsBefore = false }: { returnEvents?: boolean; eventsBefore?: boolean } = {},
): string => `
  with appends as (
    select x.ordinality as at, x.value->>'s' as stream, x.value->>'e' as expected, x.value->'v' as events
      from jsonb_array_elements($1::jsonb) with ordinality x),
  heads as (
    select appends.*, coalesce((select e.revision from "${schema}".events e where e.stream = appends.stream order by e.revision desc limit 1), -1) as head
      from appends),
  expected as (
    select bool_and(expected = 'any' or (expected = 'no_stream' and head = -1) or (expected = 'stream_exists' and head <> -1)
                    or (expected not in ('any', 'no_stream', 'stream_exists') and head = expected::bigint))
           and count(distinct stream) = count(*) as all_met
      from heads),
  inserted as (
    insert into "${schema}".events (stream, revision, id, type, data, metadata)
    select h.stream, h.head + x.ordinality, (x.value->>'id')::uuid, x.value->>'type', x.value->'data', x.value->'metadata'
      from heads h, jsonb_array_elements(h.events) with ordinality x
     where (select all_met from expected)
     order by h.at, x.ordinality${returnEvents ? '\n    returning transaction_id, position, stream, revision, id, type, data, metadata, recorded_at' : ''})
  select array_agg(head order by at) as heads, (select all_met from expected) as written${
    returnEvents
      ? `,
    (select json_agg(json_build_array(transaction_id::text, position::text, stream, revision::text, id::text, type, data, metadata, recorded_at)
                     order by position)::text
       from inserted) as events${
         eventsBefore
           ? `,
    -- After the insert: the aggregate reads all of it before the function runs.
    (select "${schema}".ordo_events_before(min(transaction_id)) from inserted) as before`
           : ''
       }`
      : ''
  } from heads`;
