/**
 * Whether another driver's LISTEN connection is open on the database: the only way an
 * append's NOTIFY reaches anyone. This process's subscribers are woken at once without it
 * (PgDriver.wakeHere), and its own NOTIFYs come back to it only to be ignored (driver.ts).
 * Where every service has a database of its own, as in local mode, one store is alone on
 * it, and its NOTIFYs, about a tenth of the shop's statements, went to nobody.
 *
 * The census counts the connections named `applicationName` on the database, other than
 * this driver's own, and is taken again at most every `everyMs` when asked. A listener
 * that opens meanwhile is not woken by this driver's appends until the next census, at
 * most `everyMs` later: its subscriptions still poll (from 100 ms), so they read those
 * events late, never lose them. A census that fails counts as listeners present.
 */
export const LISTENER_CENSUS_MS = 1_000;

export interface ListenerCensusOptions {
  /** Runs the census query (the driver's pool). */
  query: (text: string, params: unknown[]) => Promise<{ rows: { others?: unknown }[] }>;
  /** The name every LISTEN connection of a driver gives itself. */
  applicationName: string;
  /** This driver's LISTEN connection's backend, while it is up: not another's. */
  ownListener: () => number | undefined;
  everyMs?: number;
  now?: () => number;
}

export const listenerCensus = ({ query, applicationName, ownListener, everyMs = LISTENER_CENSUS_MS, now = Date.now }: ListenerCensusOptions) => {
  let takenAt = Number.NEGATIVE_INFINITY;
  let others = true;
  let taking: Promise<boolean> | undefined;

  const take = async (): Promise<boolean> => {
    try {
      const { rows } = await query(
        `select exists (select 1 from pg_stat_activity where datname = current_database() and application_name = $1 and pid <> $2) as others`,
        [applicationName, ownListener() ?? 0],
      );
      others = rows[0]?.others !== false;
    } catch {
      others = true;
    }
    takenAt = now();
    return others;
  };

  return {
    /** Whether another driver listens on the database, as the latest census found; a census older than `everyMs` is taken again first. */
    othersListening: (): Promise<boolean> => {
      if (now() - takenAt < everyMs) return Promise.resolve(others);
      taking ??= take().finally(() => {
        taking = undefined;
      });
      return taking;
    },
  };
};
