import type { Query, TransactionalSql } from '@ordo/runtime';
import type { ProjectionMessage } from './events';

type ChunkWork = (query: Query, fresh: (messageId: string) => boolean) => Promise<void>;

interface Member {
  work: ChunkWork;
  done: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * How long the first chunk of a group waits for the others. The Kafka runner handles the
 * partitions of one fetch at once, each reading its parked keys first: their chunks
 * arrive within a few milliseconds of one another.
 */
const GROUP_WAIT_MS = 3;

/**
 * Chunks that arrive together, from the partitions of one fetch, applied in one
 * transaction with one call of `apply`: a chunk's transaction costs about six statements
 * whatever its size (checkpoints read, rows loaded and written, checkpoints saved), and a
 * fetch of nine partitions brings a few events each. `join` stands for the inbox's
 * `onceEach` (each chunk's work runs in the group's transaction, in arrival order);
 * `add` for the handler, which gives its messages to the group instead of applying them.
 * A group that fails rolls back as a whole and fails every chunk in it, each of which
 * then goes one message at a time (consumer/chunks.ts), as a chunk alone would.
 */
export const chunkGroups = (sql: TransactionalSql, apply: (query: Query, messages: readonly ProjectionMessage[]) => Promise<void>) => {
  let waiting: Member[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** The group being applied: its transaction's query, and the messages its chunks gave. */
  let current: { query: Query; messages: ProjectionMessage[] } | undefined;

  const applyGroup = async (members: Member[]) => {
    try {
      await sql.transaction(async (query) => {
        const group = { query, messages: [] as ProjectionMessage[] };
        current = group;
        try {
          for (const member of members) await member.work(query, () => true);
        } finally {
          current = undefined;
        }
        await apply(query, group.messages);
      });
      for (const member of members) member.done.resolve();
    } catch (error) {
      for (const member of members) member.done.reject(error);
    }
  };

  // One group at a time: a chunk of a partition arrives only after its previous one is
  // done, and two groups in flight would only contend for the same checkpoint rows.
  let applying: Promise<void> = Promise.resolve();
  const flush = () => {
    timer = undefined;
    const members = waiting;
    waiting = [];
    applying = applying.then(() => applyGroup(members));
  };

  return {
    join: (work: ChunkWork): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ work, done: { resolve, reject } });
        timer ??= setTimeout(flush, GROUP_WAIT_MS);
      }),
    /** Gives a chunk's messages to its group; false outside a group's transaction (apply them yourself). */
    add: (query: Query, messages: readonly ProjectionMessage[]): boolean => {
      if (current?.query !== query) return false;
      current.messages.push(...messages);
      return true;
    },
  };
};
