import type { Query, TransactionalSql } from '@ordo/runtime';
import type { KeptState, ProjectionWriter, ShadowFill } from './definition';
import { projectionWriter } from './knex-sql';
import type { ProjectionNames } from './names';

// A rebuild's fill of its shadow tables (docs/projections.md, "Rebuilds"): what projections
// keep between batches, and the writes they hand aside so that the database writes one
// part of the shadow while the next is folded.

/** Writes aside under way or waiting, at most, when the fill folds its next messages. */
export const MAX_WRITES_ASIDE = 1;

export interface FillRun {
  /** Given to the projection's writer with each batch of the fill. */
  readonly fill: ShadowFill;
  /** Runs work in a transaction on the shadow tables. */
  writeShadow<T>(write: (query: Query) => Promise<T>): Promise<T>;
  /**
   * Waits until at most `atMost` writes aside are left, and throws the first that failed.
   * Call it outside any transaction: on PGlite's one connection they wait for it.
   */
  settle(atMost: number): Promise<void>;
  /** Once every write aside has committed, writes what the projections still keep. */
  flush(): Promise<void>;
}

export const fillRun = (sql: TransactionalSql, shadow: ProjectionNames): FillRun => {
  const writeShadow = <T>(write: (query: Query) => Promise<T>) =>
    sql.transaction(async (query) => {
      // A crash loses at most the shadow's last commits: a rebuild starts from a new shadow anyway.
      await query('set local synchronous_commit = off');
      return write(query);
    });
  const kept = new Map<string, KeptState>();
  // One after another, each in its own transaction; after a failure, none runs.
  const queue: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const writeAside = (write: (writer: ProjectionWriter) => Promise<void>): Promise<void> => {
    const written = (queue.at(-1) ?? Promise.resolve()).then(async () => {
      if (failure) throw failure.error;
      await writeShadow((query) => write(projectionWriter(query, shadow)));
    });
    const tracked = written.then(
      () => undefined,
      (error: unknown) => void (failure ??= { error }),
    );
    queue.push(tracked);
    void tracked.then(() => queue.splice(queue.indexOf(tracked), 1));
    return written;
  };
  const settle = async (atMost: number) => {
    // Each write leaves the queue as it settles, before this loop looks again.
    while (queue.length > atMost) await queue[0];
    if (failure) throw failure.error;
  };
  return {
    fill: {
      keep: <S extends KeptState>(name: string, create: () => S) => {
        if (!kept.has(name)) kept.set(name, create());
        return kept.get(name) as S;
      },
      writeAside,
    },
    writeShadow,
    settle,
    flush: async () => {
      await settle(0);
      await writeShadow(async (query) => {
        for (const state of kept.values()) await state.flush(projectionWriter(query, shadow));
      });
    },
  };
};
