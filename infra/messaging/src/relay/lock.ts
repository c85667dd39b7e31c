import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlClient, SqlSession } from '@ordo/runtime';

/** Makes one relay of a name publish at a time, among the replicas of a service. */
export interface RelayLockOptions {
  /** Opens the connection the lock lives on, held for the relay's life (a pool's `session`). */
  session: () => Promise<SqlSession>;
  /** Keys the lock with the relay's name: the schema of the relay's checkpoint. */
  schema: string;
  /** How often a standby tries to take the lock. Default 2,000 ms. */
  retryMs?: number;
}

export interface HeldLock {
  /** Rejects when the lock's connection is lost: another relay may hold the lock from then on. */
  readonly lost: Promise<never>;
  /**
   * The lock's own connection: what runs on it runs only while the lock is held (a
   * session-level lock goes only with its session), which is why the relay saves its
   * checkpoint there.
   */
  readonly session: SqlClient;
  /** Closes the connection, which releases the lock. */
  release(): Promise<void>;
}

/** The text the lock's 64-bit key is hashed from (`hashtextextended(key, 0)`), for finding its holder in `pg_locks`. */
export const relayLockKey = (name: string, schema: string): string => `ordo-relay:${schema}:${name}`;

export class RelayLockLostError extends Error {
  override name = 'RelayLockLostError';
}

/**
 * Waits for the relay's session-level advisory lock, trying every `retryMs` on a
 * connection of its own: PostgreSQL releases the lock when that connection goes, so a
 * standby takes over within `retryMs` of its holder's death. Resolves undefined when
 * `cancelled` aborts first; rejects when the waiting connection is lost.
 */
export const acquireRelayLock = async (options: RelayLockOptions, name: string, cancelled: AbortSignal): Promise<HeldLock | undefined> => {
  const retryMs = options.retryMs ?? 2_000;
  const session = await options.session();
  const lost = session.lost.catch((error: unknown) => {
    throw new RelayLockLostError(`relay '${name}' lost the connection that holds its lock, so it stops publishing`, { cause: error });
  });
  lost.catch(() => undefined); // observed by the relay; never an unhandled rejection
  try {
    while (!cancelled.aborted) {
      const { rows } = await Promise.race([
        session.query<{ taken: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as taken', [relayLockKey(name, options.schema)]),
        lost,
      ]);
      if (rows[0]?.taken) {
        return { lost, session, release: () => session.close() };
      }
      await Promise.race([sleep(retryMs, undefined, { signal: cancelled }).catch(() => undefined), lost]);
    }
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  await session.close();
  return undefined;
};
