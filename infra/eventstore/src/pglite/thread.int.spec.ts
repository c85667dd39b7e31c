import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PgliteDatabase } from '@ordo/runtime';
import { openPgliteThread } from './thread';

describe('PGlite on a thread of its own', () => {
  // One database for the suite (starting PGlite takes a while); each test empties the table.
  let db: PgliteDatabase;

  beforeAll(async () => {
    db = await openPgliteThread(undefined);
    await db.query('create table items (name text primary key, amount bigint not null, doc jsonb, at timestamptz)');
  });
  beforeEach(() => db.query('delete from items'));
  afterAll(() => db.close());

  it('answers statements with their rows, as PGlite types them', async () => {
    await db.query('insert into items values ($1, $2, $3, $4)', ['a', 7, JSON.stringify({ nested: [1, 2] }), '2026-01-02T03:04:05Z']);

    const { rows } = await db.query<{ name: string; doc: unknown; at: Date }>('select name, doc, at from items');

    expect(rows).toEqual([{ name: 'a', doc: { nested: [1, 2] }, at: new Date('2026-01-02T03:04:05Z') }]);
    // A Date of this realm: jest runs specs in a sandbox of their own, as any caller may.
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it("rejects a failing statement with PostgreSQL's code and detail, which callers test", async () => {
    await db.query("insert into items values ('a', 1)");

    const failure = db.query("insert into items values ('a', 2)");

    await expect(failure).rejects.toMatchObject({
      code: '23505',
      message: expect.stringMatching(/duplicate key/),
      detail: expect.stringMatching(/\(name\)=\(a\)/),
    });
  });

  it('commits a transaction, and rolls back one whose work throws, keeping none of its writes', async () => {
    await db.transaction(async (tx) => {
      await tx.query("insert into items values ('kept', 1)");
    });
    const failing = db.transaction(async (tx) => {
      await tx.query("insert into items values ('dropped', 1)");
      throw new Error('the work failed');
    });

    await expect(failing).rejects.toThrow('the work failed');
    expect((await db.query('select name from items order by name')).rows).toEqual([{ name: 'kept' }]);
  });

  it('makes a statement from outside wait until the open transaction ends', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.query("insert into items values ('inside', 1)");
      await held;
    });
    // Issued while the transaction is open: it must see the transaction's write, committed.
    const outside = db.query<{ count: number }>('select count(*)::int as count from items');
    const alsoOutside = db.query('select 1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The queue load shedding reads: both statements wait behind the transaction.
    expect(db.waiting?.()).toBe(2);
    release();
    await transaction;

    expect((await outside).rows).toEqual([{ count: 1 }]);
    await alsoOutside;
    expect(db.waiting?.()).toBe(0);
  });

  it('keeps PostgreSQL’s buffer cache at 32 MB, since PGlite’s memory never shrinks', async () => {
    expect((await db.query('show shared_buffers')).rows).toEqual([{ shared_buffers: '32MB' }]);
  });

  it('refuses statements once closed, saying so', async () => {
    const closed = await openPgliteThread(undefined);
    await closed.close();

    await expect(closed.query('select 1')).rejects.toThrow(/closed/);
  });

  it('keeps a folder database across a close and a reopen', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-pglite-thread-'));
    try {
      const first = await openPgliteThread(folder);
      await first.query('create table kept (name text)');
      await first.query("insert into kept values ('still here')");
      await first.close();

      const second = await openPgliteThread(folder);
      const { rows } = await second.query('select name from kept');
      await second.close();

      expect(rows).toEqual([{ name: 'still here' }]);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('creates a new folder’s database before it opens it, and names the folder when it cannot', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-pglite-thread-'));
    try {
      const folder = path.join(parent, 'new');
      const db = await openPgliteThread(folder);
      expect(fs.existsSync(path.join(folder, 'PG_VERSION'))).toBe(true);
      expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await db.close();

      fs.writeFileSync(path.join(parent, 'a-file'), '');
      const underAFile = path.join(parent, 'a-file', 'db');
      await expect(openPgliteThread(underAFile)).rejects.toThrow(`could not create the PGlite database in ${underAFile}`);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
