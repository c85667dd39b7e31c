import { setImmediate as nextTurn } from 'node:timers/promises';
import { sqlDatabases, testScope, type TestDatabase } from '@ordo/testing';
import { sqlDeadLetterStore, type DeadLetter, type DeadLetterStore, type ParkedMessage, type SqlDeadLetterStoreOptions } from './store';

// One contract, two databases: local mode parks in PostgreSQL through a pg Pool,
// embedded mode in PGlite. Every case uses consumers of its own, so cases share a table.
const scope = testScope();

const TOPIC = 'ordo.orders.events';

/** The dead letter at an offset of partition 0; its value names key and offset, so a mix-up shows. */
const letter = (key: string, offset: number, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  key,
  topic: TOPIC,
  partition: 0,
  offset: String(offset),
  messageId: `event-${key}-${offset}`,
  headers: { 'ordo-event-type': 'OrderPlaced', 'ordo-schema-version': '1' },
  value: JSON.stringify({ key, offset, note: 'ünïcode — ok' }),
  ...overrides,
});

/** What a handler saw, as `key@offset`. */
const seen = (messages: ParkedMessage[]): string[] => messages.map((message) => `${message.key}@${message.offset}`);

describe.each(sqlDatabases(scope))('sqlDeadLetterStore on %s', (_name, open) => {
  let database: TestDatabase;
  let consumers = 0;
  const newConsumer = () => `consumer-${++consumers}`;
  const storeWith = (options: SqlDeadLetterStoreOptions = {}): DeadLetterStore => sqlDeadLetterStore(database.sql, { schema: database.schema, ...options });

  beforeAll(async () => {
    database = await open();
    await storeWith().migrate();
  });

  afterAll(async () => {
    await database?.close();
  });

  it('migrates again without harm, keeping what is parked', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    await store.park(consumer, letter('order-1', 3), 'boom');
    await expect(store.migrate()).resolves.toBeUndefined();
    expect(await store.parkedKeys(consumer)).toEqual(new Set(['order-1']));
  });

  it('creates its table when replicas start together on a database without it', async () => {
    const schema = `${database.schema}_m`;
    try {
      await Promise.all(Array.from({ length: 8 }, () => storeWith({ schema }).migrate()));
      await storeWith({ schema }).park('svc', letter('order-1', 0), 'boom');
      expect(await storeWith({ schema }).parkedKeys('svc')).toEqual(new Set(['order-1']));
    } finally {
      await database.sql.query(`drop schema if exists "${schema}" cascade`);
    }
  });

  it('keeps each key in the order parked and keys apart, with everything the consumer handed over', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    await store.park(consumer, letter('order-a', 10), 'a failed');
    await store.park(consumer, letter('order-b', 11, { partition: 2, messageId: undefined, headers: {}, value: null }), 'b failed');
    await store.park(consumer, letter('order-a', 12), 'parked behind a');
    await store.park(consumer, letter('order-a', 7, { partition: 1 }), 'parked behind a, from another partition');

    const a = await store.parkedMessages(consumer, 'order-a');
    expect(seen(a)).toEqual(['order-a@10', 'order-a@12', 'order-a@7']);
    expect(a[0]).toEqual({
      ...letter('order-a', 10),
      consumer,
      sequenceKey: 'order-a',
      sequence: expect.any(BigInt),
      error: 'a failed',
      parkedAt: expect.any(Date),
      attempts: 1,
    });
    expect(a.map((message) => message.error)).toEqual(['a failed', 'parked behind a', 'parked behind a, from another partition']);
    const sequences = a.map((message) => message.sequence);
    expect([...sequences].sort((x, y) => (x < y ? -1 : 1))).toEqual(sequences);

    const b = await store.parkedMessages(consumer, 'order-b');
    expect(b).toEqual([
      {
        key: 'order-b',
        topic: TOPIC,
        partition: 2,
        offset: '11',
        headers: {},
        value: null,
        consumer,
        sequenceKey: 'order-b',
        sequence: expect.any(BigInt),
        error: 'b failed',
        parkedAt: expect.any(Date),
        attempts: 1,
      },
    ]);
    expect(await store.parkedMessages(consumer, 'order-c')).toEqual([]);
  });

  it('keeps a sequence other than the key apart from it: parked, listed and redriven by the sequence, each message with its own key', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    // Replies keyed by sku, sequenced by the order they answer.
    await store.park(consumer, letter('sku-1', 1), 'order-a failed', 'order-a');
    await store.park(consumer, letter('sku-2', 2), 'parked behind order-a', 'order-a');
    await store.park(consumer, letter('sku-1', 3), 'order-b failed', 'order-b');
    expect(await store.parkedKeys(consumer)).toEqual(new Set(['order-a', 'order-b']));
    expect((await store.listParked(consumer)).map(({ key, messages }) => ({ key, messages }))).toEqual([
      { key: 'order-a', messages: 2 },
      { key: 'order-b', messages: 1 },
    ]);
    const handled: ParkedMessage[] = [];
    expect(await store.redrive(consumer, 'order-a', async (message) => void handled.push(message))).toEqual({ applied: 2, remaining: 0 });
    expect(handled.map(({ key, sequenceKey, offset }) => ({ key, sequenceKey, offset }))).toEqual([
      { key: 'sku-1', sequenceKey: 'order-a', offset: '1' },
      { key: 'sku-2', sequenceKey: 'order-a', offset: '2' },
    ]);
    expect(seen(await store.parkedMessages(consumer, 'order-b'))).toEqual(['sku-1@3']);
  });

  it('stores a message parked twice (a redelivery) once, keeping its first place and error', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    await store.park(consumer, letter('order-1', 1), 'first');
    await store.park(consumer, letter('order-1', 2), 'second');
    await store.park(consumer, letter('order-1', 1), 'redelivered');
    const parked = await store.parkedMessages(consumer, 'order-1');
    expect(seen(parked)).toEqual(['order-1@1', 'order-1@2']);
    expect(parked[0]?.error).toBe('first');
    // The same offset of another partition is another message.
    await store.park(consumer, letter('order-1', 1, { partition: 1 }), 'other partition');
    expect(await store.parkedMessages(consumer, 'order-1')).toHaveLength(3);
  });

  it('reflects parks and redrives in parkedKeys and listParked', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    expect(await store.parkedKeys(consumer)).toEqual(new Set());
    expect(await store.listParked(consumer)).toEqual([]);

    await store.park(consumer, letter('order-x', 1), 'x broke');
    await store.park(consumer, letter('order-y', 2), 'y broke');
    await store.park(consumer, letter('order-x', 3), 'behind x');
    expect(await store.parkedKeys(consumer)).toEqual(new Set(['order-x', 'order-y']));
    const listed = await store.listParked(consumer);
    expect(listed).toEqual([
      { key: 'order-x', messages: 2, firstError: 'x broke', firstParkedAt: expect.any(Date) },
      { key: 'order-y', messages: 1, firstError: 'y broke', firstParkedAt: expect.any(Date) },
    ]);
    const x = await store.parkedMessages(consumer, 'order-x');
    expect(listed[0]?.firstParkedAt).toEqual(x[0]?.parkedAt);

    expect(await store.redrive(consumer, 'order-x', async () => undefined)).toEqual({ applied: 2, remaining: 0 });
    expect(await store.parkedKeys(consumer)).toEqual(new Set(['order-y']));
    expect(await store.listParked(consumer)).toEqual([{ key: 'order-y', messages: 1, firstError: 'y broke', firstParkedAt: expect.any(Date) }]);
  });

  it('redrives a key in order, deleting what it applied, and leaves other keys parked', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    for (const offset of [4, 5, 6]) await store.park(consumer, letter('order-1', offset), 'boom');
    await store.park(consumer, letter('order-2', 8), 'boom');
    const applied: ParkedMessage[] = [];
    const result = await store.redrive(consumer, 'order-1', async (message) => {
      applied.push(message);
    });
    expect(result).toEqual({ applied: 3, remaining: 0 });
    expect(seen(applied)).toEqual(['order-1@4', 'order-1@5', 'order-1@6']);
    expect(applied[1]).toMatchObject({ ...letter('order-1', 5), consumer, error: 'boom', attempts: 1 });
    expect(await store.parkedMessages(consumer, 'order-1')).toEqual([]);
    expect(seen(await store.parkedMessages(consumer, 'order-2'))).toEqual(['order-2@8']);
    expect(await store.redrive(consumer, 'order-1', async () => undefined)).toEqual({ applied: 0, remaining: 0 });
  });

  it('stops a redrive at the first failure, keeping it and what is behind it, and a later redrive finishes', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    for (const offset of [1, 2, 3]) await store.park(consumer, letter('order-1', offset), 'handler down');

    const attempted: string[] = [];
    const failing = await store.redrive(consumer, 'order-1', async (message) => {
      attempted.push(`${message.key}@${message.offset}`);
      if (message.offset === '2') throw new Error('price table not loaded');
    });
    expect(failing).toEqual({ applied: 1, remaining: 2, error: 'price table not loaded' });
    expect(attempted).toEqual(['order-1@1', 'order-1@2']);
    const left = await store.parkedMessages(consumer, 'order-1');
    expect(left.map(({ offset, error, attempts }) => ({ offset, error, attempts }))).toEqual([
      { offset: '2', error: 'price table not loaded', attempts: 2 },
      { offset: '3', error: 'handler down', attempts: 1 },
    ]);
    expect(await store.listParked(consumer)).toEqual([{ key: 'order-1', messages: 2, firstError: 'price table not loaded', firstParkedAt: expect.any(Date) }]);

    const fixed: string[] = [];
    const finishing = await store.redrive(consumer, 'order-1', async (message) => {
      fixed.push(`${message.key}@${message.offset}:${message.attempts}`);
    });
    expect(finishing).toEqual({ applied: 2, remaining: 0 });
    expect(fixed).toEqual(['order-1@2:2', 'order-1@3:1']);
    expect(await store.parkedKeys(consumer)).toEqual(new Set());
  });

  it('applies each message exactly once, in order, when two redrives of one key run together', async () => {
    const store = storeWith();
    // Several rounds, since which redrive wins the key is chance.
    for (let round = 0; round < 5; round += 1) {
      const consumer = newConsumer();
      const offsets = Array.from({ length: 8 }, (_, index) => index);
      for (const offset of offsets) await store.park(consumer, letter('order-1', offset), 'boom');
      const applied: string[] = [];
      const handler = async (message: ParkedMessage) => {
        await nextTurn(); // let the other redrive run while this one holds a message
        applied.push(`${message.key}@${message.offset}`);
      };
      const results = await Promise.all([store.redrive(consumer, 'order-1', handler), store.redrive(consumer, 'order-1', handler)]);
      expect(applied).toEqual(offsets.map((offset) => `order-1@${offset}`));
      expect(results.reduce((sum, result) => sum + result.applied, 0)).toBe(offsets.length);
      expect(await store.parkedMessages(consumer, 'order-1')).toEqual([]);
    }
  });

  it('tells a redrive that finds the key held by another one, and touches nothing', async () => {
    const store = storeWith();
    const consumer = newConsumer();
    for (const offset of [1, 2]) await store.park(consumer, letter('order-1', offset), 'boom');
    let second: Awaited<ReturnType<DeadLetterStore['redrive']>> | undefined;
    const first = await store.redrive(consumer, 'order-1', async (message) => {
      if (message.offset === '1') second = await store.redrive(consumer, 'order-1', async () => undefined);
    });
    expect(second).toEqual({ applied: 0, remaining: 2, error: "key 'order-1' is being redriven by another operator" });
    expect(first).toEqual({ applied: 2, remaining: 0 });
  });

  it('lets another redrive take over a key whose lease ran out (a crashed operator), and tells the late one', async () => {
    // A zero lease runs out as soon as it is taken: the first redrive stands for one whose operator crashed.
    const store = storeWith({ leaseMs: 0 });
    const consumer = newConsumer();
    for (const offset of [1, 2]) await store.park(consumer, letter('order-1', offset), 'boom');
    let takeover: Awaited<ReturnType<DeadLetterStore['redrive']>> | undefined;
    const late = await store.redrive(consumer, 'order-1', async () => {
      takeover = await store.redrive(consumer, 'order-1', async () => undefined);
    });
    expect(takeover).toEqual({ applied: 2, remaining: 0 });
    expect(late).toEqual({ applied: 1, remaining: 0, error: expect.stringContaining("the lease on key 'order-1' ran out") });
  });

  it('keeps consumers apart: the same message parked by two is redriven by each on its own', async () => {
    const store = storeWith();
    const [projection, reactor] = [newConsumer(), newConsumer()];
    await store.park(projection, letter('order-1', 1), 'projection failed');
    await store.park(reactor, letter('order-1', 1), 'reactor failed');
    await store.park(reactor, letter('order-2', 2), 'reactor failed');
    expect(await store.parkedKeys(projection)).toEqual(new Set(['order-1']));
    expect(await store.parkedKeys(reactor)).toEqual(new Set(['order-1', 'order-2']));

    const applied: ParkedMessage[] = [];
    expect(await store.redrive(projection, 'order-1', async (message) => void applied.push(message))).toEqual({ applied: 1, remaining: 0 });
    expect(applied.map((message) => [message.consumer, message.error])).toEqual([[projection, 'projection failed']]);
    expect(await store.parkedKeys(projection)).toEqual(new Set());
    expect(seen(await store.parkedMessages(reactor, 'order-1'))).toEqual(['order-1@1']);
    expect(await store.listParked(reactor)).toHaveLength(2);
  });
});
