import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import pg from 'pg';
import { kafkaFeed, kafkaLag, projectionStatus, rebuildProjection } from '@ordo/projections';
import { pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import { ORDER_CONTEXTS, publishOrderLives } from './order-lives';
import { ordersTable, scopedOrdersView } from './scoped-view';

// The orders view's projector, a process of its own on the real broker and server, killed
// with SIGKILL in the middle of 100,000 events (20,000 orders' lives) and started again:
// every order is counted once, and the rows are those a rebuild from Kafka makes, twice.
const ROOT = path.resolve(__dirname, '../../..');
const ORDERS = 20_000;
const scope = testScope();

describe('the orders view’s projector, killed in the middle of 100,000 events', () => {
  const projection = scopedOrdersView(scope);
  let pool: pg.Pool;
  const { table, completeOrders, checksum } = ordersTable(() => pool, scope.schema);
  let sql: TransactionalSql;
  let admin: Admin;
  const projectors: ChildProcess[] = [];

  /** Starts the projector (test/projector.ts); its output is kept for a failure's message. */
  const startProjector = () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'read-models/orders-view/test/projector.ts',
        JSON.stringify({ name: projection.name, topics: projection.topics, schema: scope.schema }),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: scope.env.databaseUrl, KAFKA_BROKERS: scope.env.kafkaBrokers.join(',') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    projectors.push(child);
    return { child, output };
  };
  /** Waits for `probe` while the projector runs; a projector that exits, or a timeout, fails with its output. */
  const whileRunning = async (
    projector: ReturnType<typeof startProjector>,
    probe: () => Promise<boolean>,
    what: string,
    timeoutMs: number,
    intervalMs: number,
  ) => {
    try {
      await eventually(
        async () => {
          if (projector.child.exitCode !== null) throw new Error(`the projector exited with ${projector.child.exitCode}`);
          return probe();
        },
        what,
        { timeoutMs, intervalMs },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; its output:\n${projector.output.join('')}`);
    }
  };
  const kill = async (child: ChildProcess) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
    sql = pgPoolSql(pool);
    admin = scope.kafka().admin();
    await admin.connect();
    for (const context of ORDER_CONTEXTS) await scope.createTopic(context);
    expect(await publishOrderLives(scope.kafka(), ORDERS, (context) => scope.topic(context))).toBe(100_000);
  }, 120_000);
  afterAll(async () => {
    for (const child of projectors) if (child.exitCode === null && child.signalCode === null) await kill(child);
    await admin?.disconnect();
    await pool?.end();
  });

  it('counts every order once after a restart, as a rebuild from Kafka does, twice', async () => {
    const first = startProjector();
    await whileRunning(first, async () => (await completeOrders()) >= ORDERS / 5, 'a fifth of the orders projected', 120_000, 50);
    await kill(first.child);
    const atKill = await completeOrders();
    expect(atKill).toBeLessThan(ORDERS);

    const second = startProjector();
    await whileRunning(
      second,
      async () => (await projectionStatus([projection], { sql, schema: scope.schema, lag: kafkaLag(admin) }))[0]?.eventsBehind === 0,
      'the projector to catch up after its restart',
      180_000,
      500,
    );
    // Each order once, with its total once: order n's lines are (1 + n % 3) × 1250 + 990 cents.
    const expectedCents = Array.from({ length: ORDERS }, (_, n) => (1 + (n % 3)) * 1250 + 990).reduce((sum, cents) => sum + cents, 0);
    const { rows } = await pool.query<{ orders: string; cents: string }>(`select count(*)::text as orders, sum(total_cents)::text as cents from ${table}`);
    expect(rows[0]).toEqual({ orders: String(ORDERS), cents: String(expectedCents) });
    expect(await completeOrders()).toBe(ORDERS);
    const live = await checksum();
    await kill(second.child);

    for (const round of [1, 2]) {
      const rebuilt = await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }) });
      expect({ round, events: rebuilt.events, swapped: rebuilt.swapped, diff: rebuilt.diff }).toEqual({
        round,
        events: 100_000,
        swapped: true,
        diff: { added: 0, changed: 0, removed: 0, examples: [] },
      });
      expect(await checksum()).toBe(live);
    }
  }, 600_000);
});
