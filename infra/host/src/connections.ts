// A standalone service's PostgreSQL connections (DATABASE_CONNECTIONS): one budget for the
// process, shared between its pool (inbox, checkpoints, dead letters, idempotency, the
// relay's lock) and its event store's (appends, reads, subscriptions), with the store's
// LISTEN connection counted too. Local mode's supervisor divides the server's
// max_connections among its processes and hands each its share (docs/running.md).

/** The pools without a budget: the service's 8, the store's 10 (and its LISTEN connection). */
export const DEFAULT_CONNECTION_SHARES: ConnectionShares = { service: 8, store: 10 };

/**
 * What a process needs at least: the store's LISTEN, one for the store's pool, and two for
 * the service's, where the relay's lock holds one for as long as it publishes.
 */
export const MIN_DATABASE_CONNECTIONS = 4;

export interface ConnectionShares {
  /** The service's own pool. */
  service: number;
  /** The event store's pool; 0 when the store is not on PostgreSQL (or there is none). */
  store: number;
}

/**
 * Splits a budget (none: DEFAULT_CONNECTION_SHARES): with a PostgreSQL store, one for its
 * LISTEN and the rest in halves, the odd one to the service's pool (the relay's lock keeps
 * one of it); without one, all of it to the service's pool.
 */
export const connectionShares = (budget: number | undefined, storeOnPostgres: boolean): ConnectionShares => {
  if (budget === undefined) return { service: DEFAULT_CONNECTION_SHARES.service, store: storeOnPostgres ? DEFAULT_CONNECTION_SHARES.store : 0 };
  if (!storeOnPostgres) return { service: budget, store: 0 };
  const pooled = budget - 1;
  const service = Math.ceil(pooled / 2);
  return { service, store: pooled - service };
};
