import type { Query, TransactionalSql } from '@ordo/runtime';
import { testScope } from '@ordo/testing';
import { projectionDatabases } from '../test/databases';
import { chunkGroups } from './chunk-group';
import type { ProjectionMessage } from './events';

// Chunks that arrive together commit in one transaction, with one apply of all their
// messages; a group that fails commits nothing and fails every chunk in it.
const scope = testScope();
const databases = projectionDatabases(scope);

const message = (partition: number, offset: number): ProjectionMessage => ({
  topic: 'parcels',
  partition,
  offset: String(offset),
  headers: {},
  value: { offset },
});

describe.each(['postgres', 'pglite'] as const)('chunk groups on %s', (database) => {
  let sql: TransactionalSql;
  beforeAll(async () => {
    sql = await databases[database]();
  });

  /** A group whose apply records each call's transaction id and messages. */
  const recordingGroups = () => {
    const applied: { transaction: string; messages: readonly ProjectionMessage[] }[] = [];
    const groups = chunkGroups(sql, async (query, messages) => {
      const { rows } = await query<{ id: string }>('select txid_current()::text as id');
      applied.push({ transaction: rows[0]?.id as string, messages });
    });
    /** A chunk as the runner hands it over: its work gives its messages to the group. */
    const chunk = (messages: ProjectionMessage[], also: (query: Query) => Promise<void> = async () => undefined) =>
      groups.join(async (query) => {
        if (!groups.add(query, messages)) throw new Error('the chunk ran outside its group');
        await also(query);
      });
    return { applied, groups, chunk };
  };

  it('applies the chunks of several partitions that arrive together in one transaction, in arrival order', async () => {
    const { applied, chunk } = recordingGroups();
    await Promise.all([chunk([message(0, 1), message(0, 2)]), chunk([message(1, 7)]), chunk([message(2, 3)])]);
    expect(applied).toHaveLength(1);
    expect(applied[0]?.messages.map(({ partition, offset }) => `${partition}:${offset}`)).toEqual(['0:1', '0:2', '1:7', '2:3']);
  });

  it('makes a new group of the chunks that arrive while one is applied, after it', async () => {
    const { applied, chunk } = recordingGroups();
    const first = chunk([message(0, 1)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all([first, chunk([message(0, 2)])]);
    expect(applied.map(({ messages }) => messages.map(({ offset }) => offset))).toEqual([['1'], ['2']]);
    expect(applied[0]?.transaction).not.toEqual(applied[1]?.transaction);
  });

  it('rolls a failing group back as a whole and fails every chunk in it', async () => {
    const table = `${database}_chunk_group_writes`;
    await sql.query(`create table if not exists ${table} (chunk text primary key)`);
    const { applied, chunk } = recordingGroups();
    const write = (name: string) => async (query: Query) => {
      await query(`insert into ${table} (chunk) values ($1)`, [name]);
    };
    const outcomes = await Promise.allSettled([
      chunk([message(0, 1)], write('healthy')),
      chunk([message(1, 1)], async () => {
        throw new Error('poison');
      }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(applied).toHaveLength(0);
    const { rows } = await sql.query(`select chunk from ${table}`);
    expect(rows).toEqual([]);
  });

  it('leaves a chunk outside any group to apply its messages itself', async () => {
    const { groups } = recordingGroups();
    await sql.transaction(async (query) => {
      expect(groups.add(query, [message(0, 1)])).toBe(false);
    });
  });
});
