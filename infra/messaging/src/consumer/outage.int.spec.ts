import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { HEADER } from '../headers';
import { KAFKA_CLIENTS, kafkaClientNamed } from '../clients/kafka-client';
import { inbox, pgPoolDatabase } from './inbox';

// The consumer's database goes away for 30 s, as in a failover, while messages flow:
// its role may not log in and its sessions are killed as they come. With the default
// retry policy nothing is parked for it, nothing is lost, and each effect happens once.
// On each Kafka client the runner runs on.
const scope = testScope();
const OUTAGE_MS = 30_000;
const patience = { timeoutMs: 120_000, intervalMs: 200 };

describe('a 30 s outage of the consumer database', () => {
  const role = `r_${scope.id}`;
  let admin: pg.Pool;
  let pool: pg.Pool;

  beforeAll(async () => {
    await scope.db();
    admin = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 2 });
    await admin.query(`create role "${role}" login`);
    const { rows } = await admin.query<{ name: string }>('select current_database() as name');
    // The consumer's tables are created in its schema, which `create schema if not exists` checks the database for.
    await admin.query(`grant create on database "${rows[0]?.name}" to "${role}"`);
    await admin.query(`grant usage, create on schema "${scope.schema}" to "${role}"`);
    const url = new URL(scope.env.databaseUrl);
    url.username = role;
    url.password = '';
    pool = new pg.Pool({ connectionString: url.toString(), max: 6 });
    // A session killed while idle in the pool is an error event, not a crash of the test.
    pool.on('error', () => undefined);
  });

  afterAll(async () => {
    await pool.end();
    await admin.query(`drop owned by "${role}" cascade`);
    await admin.query(`drop role "${role}"`);
    await admin.end();
  });

  it.each(KAFKA_CLIENTS)(
    'on %s, parks nothing, loses nothing and applies each message once',
    async (clientName) => {
      const topic = await scope.createTopic(`events-${clientName}`, { numPartitions: 3 });
      const database = pgPoolDatabase(pool);
      const effects = `"${scope.schema}".effects_${clientName}`;
      // No unique message id: a second application would show as a second row.
      await pool.query(`create table ${effects} (message_id text not null)`);
      const deadLetters = sqlDeadLetterStore(database, { schema: scope.schema });
      const groupId = scope.topic(`outage-${clientName}`);
      const client = kafkaClientNamed(clientName, { kafka: scope.kafka(), brokers: scope.env.kafkaBrokers, clientId: scope.id });
      const consumer = await client.runConsumer({
        groupId,
        topics: [topic],
        inbox: inbox(database, { schema: scope.schema }),
        deadLetters: { store: deadLetters },
        handle: async ({ messageId }, { query }) => {
          if (!query) throw new Error('the test applies through the inbox');
          await query(`insert into ${effects} (message_id) values ($1)`, [messageId]);
        },
      });

      const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      let sent = 0;
      let flowing = true;
      const flow = (async () => {
        while (flowing) {
          const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${(sent + i) % 9}`, value: '{}', headers: { [HEADER.eventId]: `m${sent + i}` } }));
          await producer.send({ topic, messages });
          sent += messages.length;
          await sleep(250);
        }
      })();
      const applied = async () => Number((await admin.query(`select count(*)::int as n from ${effects}`)).rows[0]?.n);

      try {
        await eventually(async () => (await applied()) >= 50, 'messages applied before the outage', patience);
        await admin.query(`alter role "${role}" nologin`);
        const until = Date.now() + OUTAGE_MS;
        let killed = 0;
        while (Date.now() < until) {
          const { rowCount } = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1`, [role]);
          killed += rowCount ?? 0;
          await sleep(100);
        }
        await admin.query(`alter role "${role}" login`);
        expect(killed).toBeGreaterThan(0);
        flowing = false;
        await flow;
        await eventually(async () => (await applied()) >= sent, `all ${sent} messages applied after the outage`, patience);
      } finally {
        flowing = false;
        await flow.catch(() => undefined);
        await producer.disconnect();
        await admin.query(`alter role "${role}" login`);
        await consumer.stop();
      }

      expect(await deadLetters.listParked(groupId)).toEqual([]);
      const { rows } = await admin.query(`select count(*)::int as rows, count(distinct message_id)::int as ids from ${effects}`);
      expect(rows[0]).toEqual({ rows: sent, ids: sent });
    },
    180_000,
  );
});
