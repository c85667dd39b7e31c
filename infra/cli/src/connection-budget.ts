// Local mode's share of PostgreSQL's connections: every process of the shop (replicas
// too) on one server, whose max_connections is 100 by default. Each process is given
// DATABASE_CONNECTIONS, an even share of what the server has free, so that together
// they never take more than it has: at their pools' defaults, two replicas of every
// service (20 processes) could ask for 380 (docs/running.md, "PostgreSQL connections").
import pg from 'pg';
import { DEFAULT_CONNECTION_SHARES, MIN_DATABASE_CONNECTIONS } from '@ordo/host';

/** A process's share at most: the pools' defaults together, and the store's LISTEN connection (19). */
export const MAX_SHARE = DEFAULT_CONNECTION_SHARES.service + DEFAULT_CONNECTION_SHARES.store + 1;

/** Left free for an operator's psql, the ordo CLI (a replay's pool of 4 and its store) and the benchmarks' own queries. */
export const HEADROOM = 12;

export interface ServerConnections {
  /** max_connections. */
  max: number;
  /** Kept for superusers and the pg_use_reserved_connections role: no service gets them. */
  reserved: number;
  /** Client connections open now, other than the one that asked. */
  inUse: number;
}

/** Each process's share, or an error that says what to change when it would be too small to run. */
export const connectionShare = (server: ServerConnections, processes: number, headroom = HEADROOM): number => {
  const free = server.max - server.reserved - server.inUse - headroom;
  const share = Math.min(MAX_SHARE, Math.floor(free / processes));
  if (share < MIN_DATABASE_CONNECTIONS)
    throw new Error(
      `PostgreSQL allows ${server.max} connections (max_connections), ${server.reserved} reserved and ${server.inUse} in use: ` +
        `${processes} processes would get ${Math.max(share, 0)} each, and each needs at least ${MIN_DATABASE_CONNECTIONS} ` +
        `(${headroom} stay free for operators). Raise max_connections, close other connections, or run fewer replicas.`,
    );
  return share;
};

/** The server's limits and what is in use, asked with the administrator's URL. */
export const readServerConnections = async (databaseUrl: string): Promise<ServerConnections> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ max: number; reserved: number; in_use: number }>(
      `select current_setting('max_connections')::int as max,
              current_setting('superuser_reserved_connections')::int
                + coalesce(current_setting('reserved_connections', true)::int, 0) as reserved,
              (select count(*)::int from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()) as in_use`,
    );
    const row = rows[0] as { max: number; reserved: number; in_use: number };
    return { max: row.max, reserved: row.reserved, inUse: row.in_use };
  } finally {
    await client.end();
  }
};
