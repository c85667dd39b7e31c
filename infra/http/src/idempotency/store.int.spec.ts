import { setTimeout as sleep } from 'node:timers/promises';
import { sqlDatabases, testScope, type TestDatabase } from '@ordo/testing';
import { sqlIdempotencyStore, type Claim, type SqlIdempotencyStoreOptions, type StoredResponse } from './store';

// One contract, two databases: local mode keeps keys in PostgreSQL through a pg Pool,
// embedded mode in PGlite. Every case uses keys of its own, so cases share a table.
const scope = testScope();

/** The token of a claim that must have been granted. */
const claimed = async (claim: Promise<Claim>): Promise<string> => {
  const outcome = await claim;
  if (outcome.outcome !== 'claimed') throw new Error(`expected the key to be claimed, got ${outcome.outcome}`);
  return outcome.token;
};

const answer: StoredResponse = {
  status: 201,
  headers: { 'content-type': 'application/json; charset=utf-8', etag: '"note-7:0"', location: '/v1/notes/7' },
  body: JSON.stringify({ id: 7, title: 'groceries: milk, eggs — ünïcode' }),
};

// A TTL or abandonment time that has surely passed once we have waited twice as long
// (the database judges it, by its own clock).
const SHORT_MS = 50;

describe.each(sqlDatabases(scope))('sqlIdempotencyStore on %s', (_name, open) => {
  let database: TestDatabase;
  let keys = 0;
  const newKey = () => `key-${++keys}`;
  const storeWith = (options: SqlIdempotencyStoreOptions = {}) => sqlIdempotencyStore(database.sql, { schema: database.schema, ...options });

  beforeAll(async () => {
    database = await open();
    await storeWith().migrate();
  });

  afterAll(async () => {
    await database?.close();
  });

  it('migrates again without harm, keeping the keys that have not expired', async () => {
    const store = storeWith();
    const key = newKey();
    expect(await store.claim('svc', key, 'hash-a')).toMatchObject({ outcome: 'claimed' });
    await expect(store.migrate()).resolves.toBeUndefined();
    await expect(store.migrate()).resolves.toBeUndefined();
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'in-progress' });
  });

  it('creates its table when replicas start together on a database without it', async () => {
    // Several rounds, since the race between the replicas is lost or won by chance.
    for (let round = 0; round < 5; round += 1) {
      const schema = `${database.schema}_m${round}`;
      try {
        await Promise.all(Array.from({ length: 8 }, () => storeWith({ schema }).migrate()));
        expect(await storeWith({ schema }).claim('svc', 'key', 'hash-a')).toMatchObject({ outcome: 'claimed' });
      } finally {
        await database.sql.query(`drop schema if exists "${schema}" cascade`);
      }
    }
  });

  it('claims a new key once; while it is pending the same request is in progress and another is refused', async () => {
    const store = storeWith();
    const key = newKey();
    expect(await store.claim('svc', key, 'hash-a')).toMatchObject({ outcome: 'claimed' });
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'in-progress' });
    expect(await store.claim('svc', key, 'hash-b')).toEqual({ outcome: 'different-request' });
  });

  it('replays the completed answer exactly: status, headers and body', async () => {
    const store = storeWith();
    const key = newKey();
    const token = await claimed(store.claim('svc', key, 'hash-a'));
    await store.complete('svc', key, token, answer);
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'replay', response: answer });
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'replay', response: answer });
    expect(await store.claim('svc', key, 'hash-b')).toEqual({ outcome: 'different-request' });
  });

  it('replays an answer without headers or body as it was', async () => {
    const store = storeWith();
    const key = newKey();
    const empty: StoredResponse = { status: 204, headers: {}, body: '' };
    const token = await claimed(store.claim('svc', key, 'hash-a'));
    await store.complete('svc', key, token, empty);
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'replay', response: empty });
  });

  it('release frees a pending key, so the retry claims it', async () => {
    const store = storeWith();
    const key = newKey();
    const token = await claimed(store.claim('svc', key, 'hash-a'));
    await store.release('svc', key, token);
    expect(await store.claim('svc', key, 'hash-a')).toMatchObject({ outcome: 'claimed' });
  });

  it('release leaves a completed key to be replayed', async () => {
    const store = storeWith();
    const key = newKey();
    const token = await claimed(store.claim('svc', key, 'hash-a'));
    await store.complete('svc', key, token, answer);
    await store.release('svc', key, token);
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'replay', response: answer });
  });

  it('lets an expired key be claimed again, by any request', async () => {
    const store = storeWith({ ttlMs: SHORT_MS });
    const key = newKey();
    const token = await claimed(store.claim('svc', key, 'hash-a'));
    await store.complete('svc', key, token, answer);
    await sleep(SHORT_MS * 2);
    expect(await store.claim('svc', key, 'hash-b')).toMatchObject({ outcome: 'claimed' });
    expect(await store.claim('svc', key, 'hash-b')).toEqual({ outcome: 'in-progress' });
  });

  it('migrate drops expired keys', async () => {
    const store = storeWith({ ttlMs: SHORT_MS });
    const key = newKey();
    await claimed(store.claim('svc', key, 'hash-a'));
    await sleep(SHORT_MS * 2);
    await store.migrate();
    const { rows } = await database.sql.query(`select key from "${database.schema}".ordo_idempotency_keys where scope = $1 and key = $2`, ['svc', key]);
    expect(rows).toEqual([]);
  });

  it('lets a claim abandoned by a crashed request be taken again', async () => {
    const store = storeWith({ abandonAfterMs: SHORT_MS });
    const key = newKey();
    await claimed(store.claim('svc', key, 'hash-a'));
    await sleep(SHORT_MS * 2);
    expect(await store.claim('svc', key, 'hash-a')).toMatchObject({ outcome: 'claimed' });
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'in-progress' });
  });

  it('keeps the old owner of a claim taken over after a crash from overwriting the new answer', async () => {
    const store = storeWith({ abandonAfterMs: SHORT_MS });
    const key = newKey();
    const crashed = await claimed(store.claim('svc', key, 'hash-a'));
    await sleep(SHORT_MS * 2);
    const retry = await claimed(store.claim('svc', key, 'hash-a'));
    await store.complete('svc', key, retry, answer);
    await store.complete('svc', key, crashed, { status: 500, headers: {}, body: 'late' });
    await store.release('svc', key, crashed);
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'replay', response: answer });
  });

  it('never takes back a completed key for being old, only for having expired', async () => {
    const store = storeWith({ abandonAfterMs: SHORT_MS });
    const key = newKey();
    const token = await claimed(store.claim('svc', key, 'hash-a'));
    await store.complete('svc', key, token, answer);
    await sleep(SHORT_MS * 2);
    expect(await store.claim('svc', key, 'hash-a')).toEqual({ outcome: 'replay', response: answer });
  });

  it('gives a new key to exactly one of 20 concurrent claims', async () => {
    const store = storeWith();
    const key = newKey();
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim('svc', key, 'hash-a')));
    const outcomes = claims.map((claim) => claim.outcome);
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'in-progress')).toHaveLength(19);
  });

  it('keeps scopes apart: the same key is claimed, answered and replayed in each on its own', async () => {
    const store = storeWith();
    const key = newKey();
    const alice = await claimed(store.claim('svc POST /v1/notes alice', key, 'hash-a'));
    const bob = await claimed(store.claim('svc POST /v1/notes bob', key, 'hash-b'));
    await store.complete('svc POST /v1/notes alice', key, alice, answer);
    await store.release('svc POST /v1/notes bob', key, bob);
    expect(await store.claim('svc POST /v1/notes alice', key, 'hash-a')).toEqual({ outcome: 'replay', response: answer });
    expect(await store.claim('svc POST /v1/notes bob', key, 'hash-b')).toMatchObject({ outcome: 'claimed' });
  });
});
