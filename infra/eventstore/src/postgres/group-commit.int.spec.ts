import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { openSharedPglite } from '../create';
import { InvalidEventError, WrongExpectedRevisionError } from '../errors';
import { event, streamNames } from '../contract/fixtures';
import type { AppendResult, EventStore } from '../types';
import { pgliteDriver, pgPoolDriver, type PgDriver } from './driver';
import { postgresEventStore } from './store';

// Group commit on both drivers: appends made at once share round trips (counted here by the
// statement each sends), and each still gets its own answer.

const scope = testScope();
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-group-commit-'));
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

/** The driver, noting the name of each append statement it sends. */
const counting = (driver: PgDriver, statements: string[]): PgDriver => ({
  ...driver,
  query: (text, params, options) => {
    if (options?.name?.startsWith('ordo_append')) statements.push(options.name);
    return driver.query(text, params, options);
  },
});

const drivers: Array<[string, () => Promise<{ driver: PgDriver; schema: string }>]> = [
  [
    'PostgreSQL',
    async () => {
      await scope.db();
      return { driver: pgPoolDriver(scope.env.databaseUrl), schema: scope.schema };
    },
  ],
  [
    'PGlite',
    async () => {
      const { db, release } = await openSharedPglite(folder);
      return { driver: { ...pgliteDriver(db, { ownsDatabase: false }), close: release }, schema: 'group_commit' };
    },
  ],
];

describe.each(drivers)('group commit on %s', (_, open) => {
  const name = streamNames();
  const statements: string[] = [];
  let store: EventStore;
  beforeAll(async () => {
    const { driver, schema } = await open();
    store = await postgresEventStore(counting(driver, statements), { schema });
  });
  afterAll(() => store.close());
  beforeEach(() => void (statements.length = 0));

  const revisionsOf = async (stream: string) => {
    const revisions: bigint[] = [];
    for await (const recorded of store.readStream(stream)) revisions.push(recorded.revision);
    return revisions;
  };

  it('sends appends made at once in fewer round trips, each answered as if alone: a conflict fails only its own', async () => {
    const taken = name('order');
    await store.appendToStream(taken, [event(`${taken}-first`, 0)], { expectedRevision: 'no_stream' });
    const fresh = Array.from({ length: 30 }, () => name('order'));

    const answers = await Promise.allSettled<AppendResult>([
      ...fresh.map((stream) => store.appendToStream(stream, [event(stream, 0)], { expectedRevision: 'no_stream' })),
      store.appendToStream(taken, [event(`${taken}-stale`, 0)], { expectedRevision: 5n }),
      store.appendToStream(taken, [event(`${taken}-first`, 0)], { expectedRevision: 'no_stream' }), // a retry of the first
      store.appendToStream(taken, [event(`${taken}-second`, 0)], { expectedRevision: 0n }),
    ]);

    expect(answers.slice(0, 30)).toEqual(fresh.map(() => ({ status: 'fulfilled', value: { nextExpectedRevision: 0n, written: true } })));
    expect(answers[30]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
    expect(answers[31]).toMatchObject({ status: 'fulfilled', value: { written: false } });
    expect(answers[32]).toEqual({ status: 'fulfilled', value: { nextExpectedRevision: 1n, written: true } });
    expect(await revisionsOf(taken)).toEqual([0n, 1n]);
    for (const stream of fresh) expect(await revisionsOf(stream)).toEqual([0n]);
    expect(statements.filter((statement) => statement.startsWith('ordo_append_batch')).length).toBeGreaterThan(0);
    expect(statements.length).toBeLessThan(answers.length);
  });

  it('stores every one of many appends at any to one stream, at consecutive revisions', async () => {
    const stream = name('cart');

    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => store.appendToStream(stream, [event(`${stream}-${index}`, 0)], { expectedRevision: 'any' })),
    );

    expect(answers.map((answer) => answer.nextExpectedRevision).sort((a, b) => Number(a - b))).toEqual(Array.from({ length: 40 }, (_, index) => BigInt(index)));
    expect(await revisionsOf(stream)).toEqual(Array.from({ length: 40 }, (_, index) => BigInt(index)));
  });

  it('refuses an event PostgreSQL cannot store with a clear error, and stores the appends that shared its round trip', async () => {
    const streams = Array.from({ length: 12 }, () => name('order'));
    const bad = streams[7] as string;

    const answers = await Promise.allSettled(
      streams.map((stream) =>
        store.appendToStream(stream, [{ ...event(stream, 0), data: stream === bad ? { note: 'nul \u0000 inside' } : { fine: true } }], {
          expectedRevision: 'no_stream',
        }),
      ),
    );

    expect(answers[7]).toMatchObject({ status: 'rejected', reason: expect.any(InvalidEventError) });
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(11);
    expect(await revisionsOf(bad)).toEqual([]);
    for (const stream of streams.filter((stream) => stream !== bad)) expect(await revisionsOf(stream)).toEqual([0n]);
  });
});

describe('group commit across two processes on one PostgreSQL', () => {
  let first: EventStore;
  let second: EventStore;
  const name = streamNames();
  beforeAll(async () => {
    await scope.db();
    [first, second] = await Promise.all([
      postgresEventStore(pgPoolDriver(scope.env.databaseUrl), { schema: scope.schema }),
      postgresEventStore(pgPoolDriver(scope.env.databaseUrl), { schema: scope.schema }),
    ]);
  });
  afterAll(() => Promise.all([first.close(), second.close()]));

  const revisionsOf = async (stream: string) => {
    const revisions: bigint[] = [];
    for await (const recorded of first.readStream(stream)) revisions.push(recorded.revision);
    return revisions;
  };

  it('when another process takes a revision a shared round trip wanted, answers each of its appends alone: one conflict, the rest stored', async () => {
    const streams = Array.from({ length: 10 }, () => name('order'));
    const contested = streams[6] as string;
    const other = new pg.Client({ connectionString: scope.env.databaseUrl });
    // Watches from outside other's transaction: within one, pg_stat_activity is the snapshot
    // its first read took, and would never show the round trip that started waiting after it.
    const watcher = new pg.Client({ connectionString: scope.env.databaseUrl });
    await Promise.all([other.connect(), watcher.connect()]);
    try {
      // Another process is writing the contested stream's first event and has not committed yet.
      await other.query('begin');
      await other.query(`insert into "${scope.schema}".events (stream, revision, id, type, data, metadata) values ($1, 0, $2, 'Happened', '{}', '{}')`, [
        contested,
        event(`${contested}-other`, 0).id,
      ]);
      const answers = Promise.allSettled(streams.map((stream) => first.appendToStream(stream, [event(stream, 0)], { expectedRevision: 'no_stream' })));
      // (Not told apart by its text: pg_stat_activity may show a connection's earlier statement.)
      const waitingStatement = `select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock' and query like '%${scope.schema}%'`;
      await eventually(
        async () => (await watcher.query<{ waiting: number }>(waitingStatement)).rows[0]?.waiting === 1,
        "the shared round trip to wait on the other's row",
      );
      await other.query('commit');

      const settled = await answers;
      expect(settled[6]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedRevisionError) });
      expect(settled.filter((answer) => answer.status === 'fulfilled')).toHaveLength(9);
      for (const stream of streams) expect(await revisionsOf(stream)).toEqual([0n]);
    } finally {
      await Promise.all([other.end(), watcher.end()]);
    }
  });

  it('loses and doubles nothing when both append at any to the same streams at once', async () => {
    const streams = Array.from({ length: 4 }, () => name('stock'));

    await Promise.all(
      Array.from({ length: 120 }, (_, index) => {
        const stream = streams[index % streams.length] as string;
        return (index % 2 === 0 ? first : second).appendToStream(stream, [event(`${stream}-${index}`, 0)], { expectedRevision: 'any' });
      }),
    );

    for (const stream of streams) expect(await revisionsOf(stream)).toEqual(Array.from({ length: 30 }, (_, index) => BigInt(index)));
  });
});
