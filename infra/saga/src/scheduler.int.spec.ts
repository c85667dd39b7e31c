import { randomUUID } from 'node:crypto';
import { createEventStore, type EventStore } from '@ordo/eventstore';
import { createLogger } from '@ordo/runtime';
import { sqlDatabases, testScope, type TestDatabase } from '@ordo/testing';
import { checkout, cart } from '../test/checkout-saga';
import { deadlineScheduler, sagaRunner, type IncomingEvent, type RunningScheduler, type SagaRunner } from '.';
import type { Checkout } from '../test/checkout-saga';

// The deadline scheduler on the two databases it runs on: its table follows the saga's
// events, and a due row wakes its instance once, however many orchestrators poll.
const scope = testScope();
const logger = createLogger({ service: 'scheduler-spec', level: 'silent' });
const START = Date.parse('2030-01-01T00:00:00.000Z');

describe.each(sqlDatabases(scope))('deadlineScheduler on %s', (name, open) => {
  let database: TestDatabase;
  let store: EventStore;
  let now = START;
  const clock = () => new Date(now);
  let runner: SagaRunner<Checkout>;
  const running: RunningScheduler[] = [];

  beforeAll(async () => {
    database = await open();
    store = await createEventStore(name === 'PGlite' ? 'pglite:memory' : scope.env.databaseUrl, { schema: database.schema });
    runner = sagaRunner({ definition: checkout, store, clock });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((scheduler) => scheduler.stop()));
    // Each test counts the instances it wakes: none of an earlier test's may be due.
    await database.sql.query(`delete from ${database.schema}.saga_deadlines`);
    now = START;
  });
  afterAll(async () => {
    await store.close();
    await database.close();
  });

  /** A scheduler that polls only when told to, waking instances through `wake` (the runner's by default). */
  const startScheduler = async (wake: (sagaId: string) => Promise<unknown> = runner.wake) => {
    const scheduler = deadlineScheduler({ saga: 'checkout', wake, store, sql: database.sql, schema: database.schema, clock, logger, pollMs: 3_600_000 });
    const started = await scheduler.start();
    running.push(started);
    return started;
  };
  const submit = async () => {
    const cartId = `cart-${randomUUID()}`;
    const trigger: IncomingEvent = { id: randomUUID(), type: 'CartSubmitted', data: { ...cart, cartId }, metadata: { correlationId: cartId } };
    await runner.handle(trigger);
    return `checkout-${cartId}`;
  };
  const rowsOf = async (sagaId: string) =>
    (
      await database.sql.query<{ sending: string; due_at: Date }>(
        `select sending, due_at from ${database.schema}.saga_deadlines where saga_id = $1 order by sending`,
        [sagaId],
      )
    ).rows.map((row) => `${row.sending} ${row.due_at.toISOString()}`);
  const typesOf = async (sagaId: string) => {
    const types: string[] = [];
    for await (const event of store.readStream(sagaId)) types.push(event.type);
    return types;
  };

  const both = (time: string) => [`hold/ink/action 2030-01-01T00:00:${time}Z`, `hold/pen/action 2030-01-01T00:00:${time}Z`];

  it('keeps a row per sending that waits, times it out when due, and sends it again at its retry time', async () => {
    const scheduler = await startScheduler();
    const sagaId = await submit();
    // A tick brings the table up to date before it looks for what is due.
    expect(await scheduler.pollNow()).toBe(0);
    expect(await rowsOf(sagaId)).toEqual(both('10.000'));

    now = START + 9_999;
    expect(await scheduler.pollNow()).toBe(0);
    now = START + 10_000;
    expect(await scheduler.pollNow()).toBe(1);
    expect(await typesOf(sagaId)).toEqual([
      'SagaStarted',
      'CommandIssued',
      'CommandIssued',
      'StepTimedOut',
      'RetryScheduled',
      'StepTimedOut',
      'RetryScheduled',
    ]);
    // The next tick reads the retries' times (0.5 s later) into the table.
    expect(await scheduler.pollNow()).toBe(0);
    expect(await rowsOf(sagaId)).toEqual(both('10.500'));

    now = START + 10_500;
    expect(await scheduler.pollNow()).toBe(1);
    expect((await typesOf(sagaId)).slice(-2)).toEqual(['CommandIssued', 'CommandIssued']);
    await scheduler.pollNow();
    expect(await rowsOf(sagaId)).toEqual(both('20.500'));
  });

  it('drops a row once its sending is answered, and every row of an instance that ended', async () => {
    const scheduler = await startScheduler();
    const sagaId = await submit();
    const cartId = sagaId.slice('checkout-'.length);
    const issued = new Map<string, string>();
    for await (const event of store.readStream(sagaId))
      if (event.type === 'CommandIssued') {
        const data = event.data as { line: string; command: { commandId: string } };
        issued.set(data.line, data.command.commandId);
      }
    await scheduler.pollNow();
    const heldPen: IncomingEvent = {
      id: randomUUID(),
      type: 'ItemHeld',
      data: { cartId, item: 'pen' },
      metadata: { correlationId: cartId, commandId: issued.get('pen') as string },
    };
    await runner.handle(heldPen);
    await scheduler.pollNow();
    expect(await rowsOf(sagaId)).toEqual(['hold/ink/action 2030-01-01T00:00:10.000Z']);
    await runner.operate(cartId, { action: 'resolve', by: 'ops', reason: 'handled by hand' });
    await scheduler.pollNow();
    expect(await rowsOf(sagaId)).toEqual([]);
  });

  it('goes on from the checkpoint saved, with what was appended while no scheduler ran', async () => {
    const first = await startScheduler();
    const before = await submit();
    await first.pollNow();
    await first.stop();
    running.splice(running.indexOf(first), 1);

    now = START + 1_000;
    const during = await submit();
    const second = await startScheduler();
    await second.pollNow();
    expect(await rowsOf(during)).toEqual(both('11.000'));
    expect(await rowsOf(before)).toEqual(both('10.000'));
  });

  it('leaves a row whose instance failed to wake taken until its lease runs out, holding back no other', async () => {
    const troubled = await submit();
    const fine = await submit();
    const scheduler = await startScheduler((sagaId) => (sagaId === troubled ? Promise.reject(new Error('no store today')) : runner.wake(sagaId)));
    now = START + 10_000;
    expect(await scheduler.pollNow()).toBe(2);
    expect(await typesOf(fine)).toContain('StepTimedOut');
    expect(await typesOf(troubled)).not.toContain('StepTimedOut');
    expect(await rowsOf(troubled)).toHaveLength(2);
    // Within the lease (30 s) nobody takes it again; after it, it is woken again.
    now = START + 39_000;
    expect(await scheduler.pollNow()).toBe(1); // fine's retries, due at 10.5 s
    now = START + 40_001;
    expect(await scheduler.pollNow()).toBe(1);
  });

  if (name === 'PostgreSQL')
    it('wakes an instance once for a due row when two orchestrators poll at the same time', async () => {
      const woken: string[] = [];
      // Slow wake-ups, so both pollers are at work at once.
      const counting = async (sagaId: string) => {
        woken.push(sagaId);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return runner.wake(sagaId);
      };
      const one = await startScheduler(counting);
      const other = await startScheduler(counting);
      const sagaIds = await Promise.all(Array.from({ length: 20 }, () => submit()));
      now = START + 10_000;
      const [byOne, byOther] = await Promise.all([one.pollNow(), other.pollNow()]);
      expect(byOne + byOther).toBe(20);
      expect([...woken].sort()).toEqual([...sagaIds].sort());
      for (const sagaId of sagaIds) expect((await typesOf(sagaId)).filter((type) => type === 'StepTimedOut')).toHaveLength(2);
    });
});
