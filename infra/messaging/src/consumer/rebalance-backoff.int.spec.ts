import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { HEADER } from '../headers';
import { inbox, pgPoolDatabase } from './inbox';
import { runConsumer, type ConsumerRunner } from './runner';

// A rebalance while a message waits between its retries is no failure of the message:
// the member gives the batch up, unparked and unresolved, and the partition's next owner
// applies it. Here every attempt fails until a second member has joined the group, so
// the join always lands in a retry's wait.
const scope = testScope();
const MESSAGES = 30;
const patience = { timeoutMs: 90_000, intervalMs: 100 };

describe('a rebalance during a retry', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 8 });
  });
  afterAll(async () => pool.end());

  it('parks nothing, and every message is applied exactly once by whoever owns it next', async () => {
    const topic = await scope.createTopic('events', { numPartitions: 3 });
    // No unique message id: a second application would show as a second row.
    await pool.query(`create table "${scope.schema}".applied (member text not null, message_id text not null)`);
    const groupId = scope.topic('backoff');
    const database = pgPoolDatabase(pool);
    const deadLetters = sqlDeadLetterStore(database, { schema: scope.schema });
    let failures = 0;
    let secondJoined = false;

    const member = (name: string) =>
      runConsumer({
        kafka: scope.kafka(name),
        groupId,
        topics: [topic],
        inbox: inbox(database, { schema: scope.schema }),
        deadLetters: { store: deadLetters },
        // Enough attempts that only the rebalance, never the budget, ends the failing.
        retry: { attempts: 40, initialMs: 200, maxMs: 1_000 },
        handle: async ({ messageId }, { query }) => {
          if (!secondJoined) {
            failures += 1;
            throw new Error('failing until the second member has joined');
          }
          if (!query) throw new Error('the test applies through the inbox');
          await query(`insert into "${scope.schema}".applied (member, message_id) values ($1, $2)`, [name, messageId]);
        },
      });

    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `k${i % 6}`, value: JSON.stringify({ i }), headers: { [HEADER.eventId]: `m${i}` } })),
    });
    await producer.disconnect();

    const first: ConsumerRunner = await member('first');
    let second: ConsumerRunner | undefined;
    try {
      await eventually(() => failures >= 2, 'the first member failing and waiting to retry', patience);
      // kafkajs's run() returns once the member has joined: the first has left its wait for it.
      second = await member('second');
      secondJoined = true;
      await eventually(async () => (await pool.query(`select 1 from "${scope.schema}".applied`)).rowCount === MESSAGES, `all ${MESSAGES} applied`, patience);
    } finally {
      await second?.stop();
      await first.stop();
    }

    expect(await deadLetters.listParked(groupId)).toEqual([]);
    const { rows } = await pool.query(`select count(*)::int as rows, count(distinct message_id)::int as ids from "${scope.schema}".applied`);
    expect(rows[0]).toEqual({ rows: MESSAGES, ids: MESSAGES });
  }, 180_000);
});
