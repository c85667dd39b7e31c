import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { eventIdFor } from '../ids';
import { LISTEN_APPLICATION_NAME, pgPoolDriver, type PgDriver } from './driver';
import type { ListenerLogger } from './listener';
import { LISTENER_CENSUS_MS } from './listener-census';
import { postgresEventStore, type PostgresEventStore } from './store';

const scope = testScope();

const payload = (command: string) =>
  JSON.stringify([{ id: eventIdFor(command, 0), type: 'Written', data: {}, metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 } }]);

describe('PostgreSQL store on a real server', () => {
  let admin: pg.Client;
  let driver: PgDriver;
  let store: PostgresEventStore;
  const logged: string[] = [];
  const logger: ListenerLogger = {
    info: (_: unknown, message?: string) => void logged.push(`info: ${message}`),
    warn: (_: unknown, message?: string) => void logged.push(`warn: ${message}`),
  } as ListenerLogger;

  beforeAll(async () => {
    await scope.db();
    admin = new pg.Client({ connectionString: scope.env.databaseUrl });
    await admin.connect();
    driver = pgPoolDriver(scope.env.databaseUrl, { logger });
    store = await postgresEventStore(driver, { schema: scope.schema });
  });
  afterAll(async () => {
    await admin.end();
    await store.close();
  });

  describe('ordo_append', () => {
    it('refuses to run in a transaction that already wrote, and writes nothing', async () => {
      const refused = driver.transaction(async (query) => {
        await query(`insert into "${scope.schema}".snapshots (stream, revision, version, state) values ('tx-1', 0, 1, '{}')`);
        await query(`select * from "${scope.schema}".ordo_append('tx-1', 'any', $1::jsonb)`, [payload('in-tx')]);
      });
      await expect(refused).rejects.toThrow(/ordo_append must run in a transaction that has not written yet/);
      const { rows } = await admin.query(`select count(*)::int as n from "${scope.schema}".events where stream = 'tx-1'`);
      expect(rows[0].n).toBe(0);
    });

    it('runs in a transaction that has only read so far', async () => {
      const result = await driver.transaction(async (query) => {
        await query(`select count(*) from "${scope.schema}".events`);
        return (await query<{ written: boolean }>(`select * from "${scope.schema}".ordo_append('tx-2', 'no_stream', $1::jsonb)`, [payload('read-first')]))
          .rows[0];
      });
      expect(result?.written).toBe(true);
    });
  });

  describe('the LISTEN connection', () => {
    const listenerPids = async (): Promise<number[]> =>
      (
        await admin.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = $1 and query ilike $2`, [
          LISTEN_APPLICATION_NAME,
          `%ordo_events_${scope.schema}%`,
        ])
      ).rows.map((row) => row.pid);

    it('comes back after its backend is terminated, says so, and wakes on NOTIFY again', async () => {
      const seen: string[] = [];
      const subscription = store.subscribeToAll({ handler: (e) => void seen.push(e.stream) });
      await eventually(async () => (await listenerPids()).length === 1, 'the LISTEN connection');
      expect(store.listening).toBe(true);
      const [killed] = await listenerPids();

      await admin.query('select pg_terminate_backend($1)', [killed]);
      await eventually(() => logged.some((line) => line.startsWith('warn: event store: the LISTEN connection was lost')), 'the loss logged');
      await eventually(async () => {
        const pids = await listenerPids();
        return pids.length === 1 && pids[0] !== killed && store.listening;
      }, 'a new LISTEN connection');
      expect(logged).toContain('info: event store: the LISTEN connection is back');

      // A notification from another connection reaches this driver again: not polling.
      let notified = false;
      const unlisten = await driver.listen(`ordo_events_${scope.schema}`, () => (notified = true));
      await admin.query('select pg_notify($1, null)', [`ordo_events_${scope.schema}`]);
      await eventually(() => notified, 'the notification');
      await unlisten();

      const other = await postgresEventStore(pgPoolDriver(scope.env.databaseUrl, { logger }), { schema: scope.schema });
      await other.appendToStream('after-reconnect-1', JSON.parse(payload('after')), { expectedRevision: 'no_stream' });
      await other.close();
      await eventually(() => seen.includes('after-reconnect-1'), 'the new append');
      await subscription.stop();
    });
  });

  describe('notifications', () => {
    it("wakes listeners for another connection's NOTIFY, and not again for the echo of its own", async () => {
      const channel = `wake_${scope.schema}`;
      let woken = 0;
      const unlisten = await driver.listen(channel, () => void (woken += 1));
      await eventually(() => driver.isListening(), 'the LISTEN connection');
      // An observer of its own hears both, so the test knows when the echo would have come.
      // Named as a driver's LISTEN connection, so that the driver's NOTIFY goes out for it.
      const observer = new pg.Client({ connectionString: scope.env.databaseUrl, application_name: LISTEN_APPLICATION_NAME });
      await observer.connect();
      let observed = 0;
      observer.on('notification', () => void (observed += 1));
      try {
        await observer.query(`listen ${pg.escapeIdentifier(channel)}`);
        await driver.notify(channel);
        await admin.query('select pg_notify($1, null)', [channel]);
        await eventually(() => observed === 2 && woken >= 1, 'both notifications');
        await new Promise((resolve) => setTimeout(resolve, 200)); // the driver's listener, a moment behind the observer
        expect(woken).toBe(1);
      } finally {
        await observer.end();
        await unlisten();
      }
    });

    it("are sent only while another driver's LISTEN connection is open on the database", async () => {
      // A database of its own: no other test's listener is on it.
      const database = `ordo_census_${scope.id}`.toLowerCase();
      await admin.query(`create database ${pg.escapeIdentifier(database)}`);
      const url = new URL(scope.env.databaseUrl);
      url.pathname = `/${database}`;
      const channel = `ordo_events_${scope.schema}`;
      // Hears every NOTIFY on the channel, and is no driver's: the census leaves it out.
      const eavesdropper = new pg.Client({ connectionString: url.toString(), application_name: 'eavesdropper' });
      await eavesdropper.connect();
      let heard = 0;
      eavesdropper.on('notification', () => void (heard += 1));
      await eavesdropper.query(`listen ${pg.escapeIdentifier(channel)}`);
      const stores: PostgresEventStore[] = [];
      const open = async () => {
        const opened = await postgresEventStore(pgPoolDriver(url.toString(), { logger }), { schema: scope.schema });
        stores.push(opened);
        const seen: string[] = [];
        const subscription = opened.subscribeToAll({ handler: (event) => void seen.push(event.stream) });
        await eventually(() => opened.listening, 'its LISTEN connection');
        return { store: opened, seen, subscription };
      };
      try {
        const alone = await open();
        await alone.store.appendToStream('census-1', JSON.parse(payload('census-1')), { expectedRevision: 'no_stream' });
        await eventually(() => alone.seen.includes('census-1'), 'its own subscriber woken');
        // Past the debounce and a census: a NOTIFY would have been heard by now.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(heard).toBe(0);

        const other = await open();
        await new Promise((resolve) => setTimeout(resolve, LISTENER_CENSUS_MS)); // the next census finds it
        await alone.store.appendToStream('census-2', JSON.parse(payload('census-2')), { expectedRevision: 'no_stream' });
        await eventually(() => heard > 0 && other.seen.includes('census-2'), 'the NOTIFY, and the other driver woken');
        await Promise.all([alone.subscription.stop(), other.subscription.stop()]);
      } finally {
        await eavesdropper.end();
        await Promise.all(stores.map((each) => each.close()));
        await admin.query(`drop database ${pg.escapeIdentifier(database)} with (force)`);
      }
    });
  });
});
