import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { eventIdFor } from '../ids';
import type { PositionedEvent } from '../types';
import { pgPoolDriver } from './driver';
import { postgresEventStore, type PostgresEventStore } from './store';

const scope = testScope();
const WRITERS = 8;
const APPENDS_PER_WRITER = 15;

const payload = (writer: number, i: number) =>
  JSON.stringify([
    { id: eventIdFor(`w${writer}-${i}`, 0), type: 'Written', data: { writer, i }, metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 } },
  ]);

describe('PostgreSQL readers never skip an event that commits late', () => {
  let store: PostgresEventStore;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: scope.env.databaseUrl });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    await scope.db();
    store = await postgresEventStore(pgPoolDriver(scope.env.databaseUrl), { schema: scope.schema });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await store.close();
  });

  it('sees every event exactly once while concurrent writers commit out of order', async () => {
    const seen: PositionedEvent[] = [];
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['late-'] }, handler: (e) => void seen.push(e) });

    // Each writer takes its position inside a transaction, then sleeps a random while
    // before committing: later positions routinely commit before earlier ones.
    const writers = await Promise.all(Array.from({ length: WRITERS }, connect));
    const commitOrder: string[] = [];
    await Promise.all(
      writers.map(async (client, writer) => {
        for (let i = 0; i < APPENDS_PER_WRITER; i++) {
          await client.query('begin');
          await client.query(`select * from "${scope.schema}".ordo_append($1, 'any', $2::jsonb)`, [`late-${writer}`, payload(writer, i)]);
          await client.query('select pg_sleep($1)', [Math.random() * 0.04]);
          await client.query('commit');
          commitOrder.push(eventIdFor(`w${writer}-${i}`, 0));
        }
      }),
    );
    await eventually(() => seen.length >= WRITERS * APPENDS_PER_WRITER, 'every event');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await subscription.stop();

    expect(seen).toHaveLength(WRITERS * APPENDS_PER_WRITER);
    expect(new Set(seen.map((e) => e.id)).size).toBe(WRITERS * APPENDS_PER_WRITER);
    // Positions were not committed in order: a reader going by position alone, having
    // seen a later position, would have skipped the earlier one that committed after it.
    const positionOf = new Map(seen.map((e) => [e.id, e.position]));
    const committedPositions = commitOrder.map((id) => positionOf.get(id) ?? 0n);
    expect(committedPositions.some((position, i) => committedPositions.slice(0, i).some((earlier) => earlier > position))).toBe(true);
    // Resuming from any checkpoint the reader passed yields exactly what followed it.
    for (const index of [0, 17, 60, seen.length - 2]) {
      const resumed: string[] = [];
      for await (const e of store.readAll({ from: seen[index]?.checkpoint, filter: { streamPrefixes: ['late-'] } })) resumed.push(e.id);
      expect(resumed).toEqual(seen.slice(index + 1).map((e) => e.id));
    }
  });

  it('reports a long transaction that holds readers back, and catches up once it ends', async () => {
    const seen: PositionedEvent[] = [];
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['held-'] }, handler: (e) => void seen.push(e) });
    const blocker = await connect();
    await blocker.query('begin');
    await blocker.query('select pg_current_xact_id()'); // holds an xid: every later commit waits behind it
    const { rows } = await blocker.query<{ pid: number }>('select pg_backend_pid() as pid');

    for (let i = 0; i < 5; i++) {
      await store.appendToStream(
        `held-${i}`,
        [{ id: eventIdFor(`held-${i}`, 0), type: 'Held', data: {}, metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 } }],
        { expectedRevision: 'no_stream' },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toHaveLength(0);
    const report = await store.visibility();
    expect(report.heldBackEvents).toBeGreaterThanOrEqual(5);
    expect(report.oldestTransaction).toMatchObject({ pid: rows[0]?.pid });
    expect(report.oldestTransaction?.ageMs).toBeGreaterThan(0);

    await blocker.query('rollback');
    await eventually(() => seen.length === 5, 'the held-back events');
    expect((await store.visibility()).heldBackEvents).toBe(0);
    await subscription.stop();
  });
});
