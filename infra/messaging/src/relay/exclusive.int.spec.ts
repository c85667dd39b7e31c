import pg from 'pg';
import { createEventStore, eventIdFor, type EventStore } from '@ordo/eventstore';
import { eventually, testScope } from '@ordo/testing';
import { checkpointBefore, messagesIn, readTopics, sessionsOf } from '../../test/topic-messages';
import { HEADER } from '../headers';
import { relayLockKey } from './lock';
import { startRelay, type Relay } from './relay';

const scope = testScope();
const NAME = 'replicated-relay';

const append = (store: EventStore, from: number, count: number) =>
  store.appendToStream(
    `counter-${from % 7}`,
    Array.from({ length: count }, (_, i) => ({
      id: eventIdFor(`replicated-${from + i}`, 0),
      type: 'Counted',
      data: { n: from + i },
      metadata: { correlationId: 'replicated', causationId: 'test', schemaVersion: 1 },
    })),
    { expectedRevision: 'any' },
  );

describe('relays of one name on two replicas', () => {
  let admin: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    admin = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 2 });
  });
  afterAll(async () => admin.end());

  it('publish each event once while both live, and the standby takes over from the checkpoint when the holder loses its lock connection', async () => {
    const topic = await scope.createTopic('events');
    const { schema } = scope;
    // Every value the checkpoint row takes, in order, and the connection that saved it (a relay's lock connection), recorded by the database itself.
    const table = `"${schema}".ordo_checkpoints`;
    await admin.query(`create table if not exists ${table} (name text primary key, checkpoint text not null, updated_at timestamptz not null default now())`);
    await admin.query(
      `create table "${schema}".checkpoint_history (seq bigserial primary key, checkpoint text not null, pid int not null default pg_backend_pid())`,
    );
    await admin.query(`create function "${schema}".record_checkpoint() returns trigger language plpgsql as $$
      begin insert into "${schema}".checkpoint_history (checkpoint) values (new.checkpoint); return new; end $$`);
    await admin.query(`create trigger record_checkpoint after insert or update on ${table} for each row execute function "${schema}".record_checkpoint()`);

    const writer = await createEventStore(scope.env.databaseUrl, { schema });
    let appended = 0;
    for (; appended < 1_000; appended += 50) await append(writer, appended, 50);

    // Two replicas: each its own pool, store and relay of the same name over the same schema.
    const replica = async () => {
      const pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 3 });
      const store = await createEventStore(scope.env.databaseUrl, { schema });
      const relay = await startRelay({
        name: NAME,
        store,
        kafka: scope.kafka(),
        routing: (event) => [{ topic, key: event.stream }],
        lock: { session: sessionsOf(pool), schema, retryMs: 200 },
        maxBatch: 100,
      });
      relay.done.catch(() => undefined); // the holder's is expected to fail; asserted below
      return { relay, close: async () => Promise.all([store.close(), pool.end()]) };
    };
    const replicas = await Promise.all([replica(), replica()]);

    // Events keep coming while both run, and during the take-over.
    let appending = true;
    const appender = (async () => {
      while (appending && appended < 6_000) {
        await append(writer, appended, 20);
        appended += 20;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    await eventually(async () => (await messagesIn(scope.kafka(), topic)) >= 2_000, '2000 messages published', { timeoutMs: 60_000, intervalMs: 50 });
    const roles = replicas.map(({ relay }) => relay.status().role);
    expect([...roles].sort()).toEqual(['publishing', 'standby']);
    const holder = replicas[roles.indexOf('publishing')]?.relay as Relay;
    const standby = replicas[roles.indexOf('standby')]?.relay as Relay;

    // The holder's lock connection goes, as when its process dies or its network does.
    const { rows: holders } = await admin.query<{ pid: number }>(
      `select pid from pg_locks where locktype = 'advisory' and granted and objsubid = 1
         and database = (select oid from pg_database where datname = current_database())
         and ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [relayLockKey(NAME, schema)],
    );
    expect(holders).toHaveLength(1);
    await admin.query('select pg_terminate_backend($1)', [holders[0]?.pid]);
    await expect(holder.done).rejects.toThrow();

    await eventually(() => standby.status().role === 'publishing', 'the standby publishing', { timeoutMs: 10_000, intervalMs: 20 });
    appending = false;
    await appender;

    // Every event reaches the topic; one the holder checkpointed, exactly once.
    const events: { id: string; checkpoint: string }[] = [];
    for await (const event of writer.readAll()) events.push({ id: event.id, checkpoint: event.checkpoint });
    const published = await readTopics(scope.kafka(), [topic], (messages) => new Set(messages.map((m) => m.headers[HEADER.eventId])).size >= events.length);
    await standby.stop();
    const { rows: history } = await admin.query<{ checkpoint: string; pid: number }>(`select checkpoint, pid from "${schema}".checkpoint_history order by seq`);
    const copies = new Map<string, number>();
    for (const message of published) copies.set(message.headers[HEADER.eventId] ?? '', (copies.get(message.headers[HEADER.eventId] ?? '') ?? 0) + 1);
    expect(copies.size).toBe(events.length);
    const taken = history.filter((row) => row.pid === holders[0]?.pid).at(-1)?.checkpoint ?? '0:0';
    const checkpointed = events.filter((event) => !checkpointBefore(taken, event.checkpoint));
    expect(checkpointed.length).toBeGreaterThanOrEqual(1_000);
    expect(checkpointed.filter((event) => copies.get(event.id) !== 1)).toEqual([]);

    // The checkpoint only ever moved forward, saved by the holder, then by the standby alone, and ends at the last event.
    const savers = history.map((row) => row.pid).filter((pid, index, pids) => pid !== pids[index - 1]);
    expect(savers).toHaveLength(2);
    expect(savers[0]).toBe(holders[0]?.pid);
    const backwards = history.filter((row, index) => index > 0 && checkpointBefore(row.checkpoint, history[index - 1]?.checkpoint ?? '0:0'));
    expect(backwards).toEqual([]);
    expect(history[history.length - 1]?.checkpoint).toBe(events[events.length - 1]?.checkpoint);

    await Promise.all(replicas.map(({ close }) => close()));
    await writer.close();
  }, 120_000);
});
