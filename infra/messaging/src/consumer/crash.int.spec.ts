import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { KAFKA_CLIENTS } from '../clients/kafka-client';

// A consumer killed with SIGKILL in the middle of a batch redelivers from its last
// commit when started again; the inbox makes every redelivered message a no-op. On each
// Kafka client the runner runs on.
const scope = testScope();
const TOTAL = 2_000;
const KEYS = 10;

describe.each(KAFKA_CLIENTS)('a consumer on %s killed in the middle of a batch', (client) => {
  const applied = `"${scope.schema}".applied_${client}`;
  const counters = `"${scope.schema}".counters_${client}`;
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 2 });
  });
  afterAll(async () => pool.end());

  const count = async (): Promise<number> => {
    const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${applied}`);
    return rows[0]?.n ?? 0;
  };

  const patience = { timeoutMs: 120_000 };

  it('applies every message exactly once after it is started again', async () => {
    const topic = await scope.createTopic(`events-${client}`, { numPartitions: 3 });
    // No unique key on message_id: a second application would add a second row.
    await pool.query(`create table ${applied} (message_id text not null, key text not null, n int not null)`);
    await pool.query(`create table ${counters} (key text primary key, n int not null)`);
    await pool.query(`insert into ${counters} select 'k' || i, 0 from generate_series(0, ${KEYS - 1}) as i`);

    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: TOTAL }, (_, n) => ({ key: `k${n % KEYS}`, value: JSON.stringify({ key: `k${n % KEYS}`, n }) }));
    for (let from = 0; from < TOTAL; from += 500) await producer.send({ topic, messages: messages.slice(from, from + 500) });
    await producer.disconnect();

    const groupId = scope.topic(`crash-${client}`);
    const start = () => {
      // tsx as a loader, not its cli: the cli runs the script in a child process of its
      // own, which a SIGKILL of the cli would leave running.
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../test/consumer-main.ts')], {
        env: {
          ...process.env,
          SCHEMA: scope.schema,
          TOPIC: topic,
          GROUP: groupId,
          DATABASE_URL: scope.env.databaseUrl,
          KAFKA_BROKERS: scope.env.kafkaBrokers.join(','),
          KAFKA_CLIENT: client,
          TABLE_SUFFIX: `_${client}`,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let errors = '';
      child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { child, exited, errors: () => errors };
    };

    const first = start();
    await eventually(async () => (await count()) >= 300, 'the first rows', patience);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await count();
    expect(atKill).toBeLessThan(TOTAL); // it really died in the middle

    const second = start();
    try {
      await eventually(
        async () => {
          if (second.child.exitCode !== null) throw new Error(`the consumer exited: ${second.errors()}`);
          return (await count()) >= TOTAL;
        },
        `${TOTAL} rows`,
        patience,
      );
      // Time for a redelivery that would double an effect to show in the tables.
      await sleep(1_000);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    const { rows } = await pool.query(`select count(*)::int as rows, count(distinct message_id)::int as ids, count(distinct n)::int as ns from ${applied}`);
    expect(rows[0]).toEqual({ rows: TOTAL, ids: TOTAL, ns: TOTAL });
    const counted = await pool.query<{ key: string; n: number }>(`select key, n from ${counters} order by key`);
    expect(counted.rows.reduce((sum, row) => sum + row.n, 0)).toBe(TOTAL);
    expect(counted.rows.every((row) => row.n === TOTAL / KEYS)).toBe(true);
    console.log(`consumer crash test on ${client}: killed after ${atKill} of ${TOTAL} applied`);
  }, 180_000);
});
