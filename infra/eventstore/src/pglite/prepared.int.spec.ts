import { PGlite } from '@electric-sql/pglite';
import { preparedQueries } from './prepared.cjs';
import { openPgliteThread } from './thread';

// PGlite plans every query afresh; the worker keeps a named statement per text instead.
// pg_prepared_statements shows what it kept.
describe('prepared statements on PGlite', () => {
  let db: PGlite;
  let query: ReturnType<typeof preparedQueries>;
  const kept = async () =>
    (await db.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time')).rows.map((row) => row.statement);

  beforeAll(async () => {
    db = await PGlite.create();
    await db.query('create table items (name text primary key, amount bigint not null, doc jsonb, tags text[], at timestamptz)');
  });
  beforeEach(async () => {
    await db.query('deallocate all');
    await db.query('delete from items');
    query = preparedQueries(db, { capacity: 2 });
  });
  afterAll(() => db.close());

  it("answers as PGlite's own query does, with its types, preparing a statement once for every run of its text", async () => {
    const insert = 'insert into items values ($1, $2, $3, $4, $5)';
    await query(insert, ['a', 7, JSON.stringify({ nested: [1] }), ['x', 'y'], '2026-01-02T03:04:05Z']);
    await query(insert, ['b', 8, null, [], new Date('2026-01-02T03:04:05Z')]);
    const select = 'select name, amount, doc, tags, at from items where amount >= $1 and tags @> $2 order by name';

    const prepared = await query(select, [7, []]);
    const unprepared = await db.query(select, [7, []]);

    expect(prepared.rows).toEqual(unprepared.rows);
    expect(prepared.rows).toEqual([
      { name: 'a', amount: 7, doc: { nested: [1] }, tags: ['x', 'y'], at: new Date('2026-01-02T03:04:05Z') },
      { name: 'b', amount: 8, doc: null, tags: [], at: new Date('2026-01-02T03:04:05Z') },
    ]);
    expect(await kept()).toEqual([insert, select]);
  });

  it('runs a kept statement in one call into PGlite: bind, describe, execute and sync in one buffer', async () => {
    const insert = 'insert into items values ($1, $2)';
    await query(insert, ['a', 1]);
    const calls = jest.spyOn(db, 'execProtocolStream');
    try {
      await query(insert, ['b', 2]);
      await expect(query(insert, ['b', 3])).rejects.toMatchObject({ code: '23505' });
      expect(calls).toHaveBeenCalledTimes(2);
    } finally {
      calls.mockRestore();
    }
    expect((await query('select amount from items where name = $1', ['b'])).rows).toEqual([{ amount: 2 }]);
  });

  it('runs a statement without parameters, or one that is not a query, as PGlite does, keeping nothing', async () => {
    await query("insert into items values ('a', 1)");
    await query('create table if not exists others (id int)', []);

    expect((await query('select count(*)::int as n from items', [])).rows).toEqual([{ n: 1 }]);
    expect(await kept()).toEqual([]);
  });

  it('keeps at most its capacity, dropping the statement used least recently', async () => {
    const byName = 'select amount from items where name = $1';
    const byAmount = 'select name from items where amount = $1';
    const count = 'select count(*)::int as n from items where amount > $1';
    await query(byName, ['a']);
    await query(byAmount, [1]);
    await query(byName, ['a']);

    await query(count, [0]);

    expect(await kept()).toEqual([byName, count]);
  });

  it("fails with PostgreSQL's code and detail, and the statement runs again afterwards", async () => {
    const insert = 'insert into items values ($1, $2)';
    await query(insert, ['a', 1]);

    await expect(query(insert, ['a', 2])).rejects.toMatchObject({ code: '23505', detail: expect.stringMatching(/\(name\)=\(a\)/) });
    await query(insert, ['b', 2]);
    expect((await db.query('select name from items order by name')).rows).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it("runs inside the caller's transaction: its writes go with the transaction's rollback", async () => {
    const failing = db.transaction(async (tx) => {
      await query('insert into items values ($1, $2)', ['dropped', 1], tx);
      expect((await query('select name from items where amount = $1', [1], tx)).rows).toEqual([{ name: 'dropped' }]);
      throw new Error('the work failed');
    });

    await expect(failing).rejects.toThrow('the work failed');
    expect((await db.query('select count(*)::int as n from items')).rows).toEqual([{ n: 0 }]);
  });

  it('answers a statement whose table changed shape under its plan, by running it unprepared', async () => {
    await db.query('create table shapes (a int)');
    await db.query('insert into shapes values (1)');
    const select = 'select * from shapes where a = $1';
    expect((await query(select, [1])).rows).toEqual([{ a: 1 }]);

    await db.query('alter table shapes add column b text');

    expect((await query(select, [1])).rows).toEqual([{ a: 1, b: null }]);
    expect((await query(select, [1])).rows).toEqual([{ a: 1, b: null }]);
  });

  it('is what the thread runs a parameterised statement with', async () => {
    const thread = await openPgliteThread(undefined);
    try {
      await thread.query('create table items (name text primary key)');
      await thread.query('insert into items values ($1)', ['a']);

      const { rows } = await thread.query<{ statement: string }>('select statement from pg_prepared_statements');

      expect(rows).toEqual([{ statement: 'insert into items values ($1)' }]);
    } finally {
      await thread.close();
    }
  });
});
