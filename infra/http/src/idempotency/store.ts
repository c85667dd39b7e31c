import { randomUUID } from 'node:crypto';
import { migrateOnce, quoteIdentifier, type SqlClient } from '@ordo/runtime';

/** The first answer to a request, replayed for every retry with the same key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Claim =
  /** The token proves ownership when completing: a claim taken over after a crash is not overwritten by its old owner. */
  { outcome: 'claimed'; token: string } | { outcome: 'in-progress' } | { outcome: 'different-request' } | { outcome: 'replay'; response: StoredResponse };

export interface IdempotencyStore {
  /** Takes the key for this request, or says why not: answered, in progress, or reused. */
  claim(scope: string, key: string, requestHash: string): Promise<Claim>;
  complete(scope: string, key: string, token: string, response: StoredResponse): Promise<void>;
  /** Frees the key after a failure the client should retry (a 5xx). */
  release(scope: string, key: string, token: string): Promise<void>;
  /** Creates the table when missing and drops expired keys. */
  migrate(): Promise<void>;
  /** Drops expired keys; the server calls it on a timer while it runs. */
  purgeExpired(): Promise<void>;
}

export interface SqlIdempotencyStoreOptions {
  /** The service's own schema (database per service); default public. */
  schema?: string;
  /** How long an answer is kept for replay. Default 24 h. */
  ttlMs?: number;
  /** A claim older than this whose request never finished (a crash) may be taken again. Default 60 s. */
  abandonAfterMs?: number;
}

interface Row {
  request_hash: string;
  state: 'pending' | 'done';
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
}

/** Idempotency keys in PostgreSQL, or PGlite in embedded mode: one row per key, with a TTL. */
export const sqlIdempotencyStore = (sql: SqlClient, options: SqlIdempotencyStoreOptions = {}): IdempotencyStore => {
  const schema = quoteIdentifier(options.schema ?? 'public');
  const table = `${schema}.ordo_idempotency_keys`;
  const ttlSeconds = (options.ttlMs ?? 24 * 3_600_000) / 1000;
  const abandonSeconds = (options.abandonAfterMs ?? 60_000) / 1000;
  const purgeExpired = async () => {
    await sql.query(`delete from ${table} where expires_at < now()`);
  };

  return {
    purgeExpired,
    migrate: async () => {
      await migrateOnce(
        sql,
        table,
        `
        create schema if not exists ${schema};
        create table if not exists ${table} (
          scope text not null,
          key text not null,
          request_hash text not null,
          claim_token uuid not null,
          state text not null check (state in ('pending', 'done')),
          status integer,
          headers jsonb,
          body text,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          primary key (scope, key)
        );
      `,
      );
      await purgeExpired();
    },

    claim: async (scope, key, requestHash) => {
      const token = randomUUID();
      // One statement decides who owns the key: a new key, an expired one, or a claim
      // abandoned by a crashed request is taken; anything else is left as it is.
      const taken = await sql.query(
        `insert into ${table} (scope, key, request_hash, claim_token, state, expires_at)
         values ($1, $2, $3, $6, 'pending', now() + make_interval(secs => $4))
         on conflict (scope, key) do update
           set request_hash = excluded.request_hash, claim_token = excluded.claim_token, state = 'pending', status = null, headers = null, body = null,
               created_at = now(), expires_at = excluded.expires_at
           where ${table}.expires_at < now()
              or (${table}.state = 'pending' and ${table}.created_at < now() - make_interval(secs => $5))
         returning key`,
        [scope, key, requestHash, ttlSeconds, abandonSeconds, token],
      );
      if (taken.rows.length > 0) return { outcome: 'claimed', token };
      const { rows } = await sql.query<Row>(`select request_hash, state, status, headers, body from ${table} where scope = $1 and key = $2`, [scope, key]);
      const row = rows[0];
      if (!row) return { outcome: 'in-progress' }; // released between our two statements: the client retries
      if (row.request_hash !== requestHash) return { outcome: 'different-request' };
      if (row.state === 'pending') return { outcome: 'in-progress' };
      return { outcome: 'replay', response: { status: row.status ?? 200, headers: row.headers ?? {}, body: row.body ?? '' } };
    },

    complete: async (scope, key, token, response) => {
      await sql.query(`update ${table} set state = 'done', status = $4, headers = $5, body = $6 where scope = $1 and key = $2 and claim_token = $3`, [
        scope,
        key,
        token,
        response.status,
        JSON.stringify(response.headers),
        response.body,
      ]);
    },

    release: async (scope, key, token) => {
      await sql.query(`delete from ${table} where scope = $1 and key = $2 and claim_token = $3 and state = 'pending'`, [scope, key, token]);
    },
  };
};
