import { sqlDatabases, testScope, type TestDatabase } from '@ordo/testing';
import { inbox, type Inbox } from './inbox';

// A chunk's ids are recorded in one statement; the work is told which of them are fresh.
// Local mode keeps the inbox in PostgreSQL through a pg Pool, embedded mode in PGlite.
const scope = testScope();

/** The ids work was told are fresh, asked in the order given (each may be asked twice). */
const freshOf = async (box: Inbox, consumer: string, ids: string[]): Promise<string[]> => {
  const fresh: string[] = [];
  await box.onceEach(consumer, ids, async (_query, isFresh) => {
    for (const id of ids) if (isFresh(id)) fresh.push(id);
  });
  return fresh;
};

describe.each(sqlDatabases(scope))('the inbox on %s', (_name, open) => {
  let database: TestDatabase;
  let box: Inbox;
  beforeAll(async () => {
    database = await open();
    box = inbox(database.sql, { schema: database.schema });
    await box.migrate();
  });
  afterAll(async () => database.close());

  it('tells each new id of a chunk fresh once, an id repeated within it too', async () => {
    expect(await freshOf(box, 'all-new', ['a', 'b', 'a', 'c'])).toEqual(['a', 'b', 'c']);
  });

  it('tells fresh only the ids not recorded before', async () => {
    await freshOf(box, 'some-seen', ['a', 'c']);
    expect(await freshOf(box, 'some-seen', ['a', 'b', 'c', 'd', 'b'])).toEqual(['b', 'd']);
    expect(await freshOf(box, 'some-seen', ['a', 'b'])).toEqual([]);
  });

  it('keeps each consumer’s ids apart', async () => {
    await freshOf(box, 'first', ['x']);
    expect(await freshOf(box, 'second', ['x'])).toEqual(['x']);
  });

  it('records none of a chunk whose work throws', async () => {
    await expect(
      box.onceEach('failing', ['p', 'q'], async () => {
        throw new Error('the handler failed');
      }),
    ).rejects.toThrow('the handler failed');
    expect(await freshOf(box, 'failing', ['q', 'p'])).toEqual(['q', 'p']);
  });
});
