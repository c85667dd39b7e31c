import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventIdFor, type EventStore } from '@ordo/eventstore';
import { createLogger, quoteIdentifier, startTracing, traceHeaders } from '@ordo/runtime';
import { eventually } from '@ordo/testing';
import type { BusConsumer, BusConsumerOptions, BusDatabase } from '../bus';
import type { ConsumedMessage, HandlerContext } from '../consumer/processor';
import { sqlDeadLetterStore } from '../dead-letters/store';

// The consumer contract both buses serve (docs/architecture.md, "The three ways it runs"): the
// same scenarios, with the same handler, run on Kafka (kafka-bus.int.spec.ts) and on
// the embedded bus (embedded-bus.int.spec.ts). Messages start as events appended to a
// context's store, which the bus publishes: a relay to Kafka, or the store's own
// subscription.

/** A bus under test, with a context's store published on it. */
export interface BusFixture {
  /** Starts a consumer of the context's event topic. */
  consume<T>(options: Omit<BusConsumerOptions<T>, 'topics'>): Promise<BusConsumer>;
  /** The context's store: what is appended to it is delivered, keyed by stream. */
  store: EventStore;
  /** The event topic the consumers read. */
  topic: string;
  /** The consumer's database: its inbox, its dead letters, and the scenarios' effects. */
  database: BusDatabase;
  /** Unique to the run, lowercase letters, digits and '-': consumer names start with it. */
  prefix: string;
  /** Moves a stopped group back to the first message, as if it had crashed before saving any progress. */
  rewind(groupId: string): Promise<void>;
}

interface Counted {
  scenario: string;
  key: string;
  n: number;
}

/** What the buses deliver: the recorded event, as the relay publishes it. */
type CountedEvent = { stream: string; data: Counted };

type Sent = Pick<Counted, 'key' | 'n'>;
const series = (key: string, from: number, to: number): Sent[] => Array.from({ length: to - from }, (_, i) => ({ key, n: from + i }));

const patience = { timeoutMs: 30_000, intervalMs: 50 };

export const busContract = (fixture: () => BusFixture) => {
  let effects: string;
  // Registers W3C propagation, as every service does: the bus continues a message's trace.
  startTracing('bus-contract');

  beforeAll(async () => {
    const { database } = fixture();
    effects = `${quoteIdentifier(database.schema)}.contract_effects`;
    // No unique message id: a second application of a message would show as a second row.
    await database.sql.query(`create schema if not exists ${quoteIdentifier(database.schema)}`);
    await database.sql.query(
      `create table if not exists ${effects} (seq bigserial primary key, consumer text not null, message_id text not null, key text not null, n int not null)`,
    );
  });

  /** Each message of a scenario is an event of the stream `<scenario>-<key>`. */
  const publish = async (scenario: string, messages: Sent[]) => {
    for (const { key, n } of messages) {
      const data: Counted = { scenario, key, n };
      await fixture().store.appendToStream(
        `${scenario}-${key}`,
        [
          {
            id: eventIdFor(`${scenario}-${key}-${n}`, 0),
            type: 'Counted',
            data,
            metadata: { correlationId: scenario, causationId: scenario, schemaVersion: 1 },
          },
        ],
        {
          expectedRevision: 'any',
        },
      );
    }
  };

  /**
   * The one handler of every scenario, on both buses: it applies a message of its
   * scenario as a row written with the inbox's query, and throws on the poison.
   */
  const countingHandler =
    (groupId: string, scenario: string, poisoned: (counted: Counted) => boolean = () => false) =>
    async (message: ConsumedMessage<CountedEvent>, { query }: HandlerContext) => {
      const counted = message.value.data;
      if (counted.scenario !== scenario) return; // the topic holds the other scenarios' messages too
      if (poisoned(counted)) throw new Error(`${counted.key}${counted.n} is poison`);
      if (!query) throw new Error('the scenarios apply through the inbox');
      await query(`insert into ${effects} (consumer, message_id, key, n) values ($1, $2, $3, $4)`, [groupId, message.messageId, counted.key, counted.n]);
    };

  /** What a consumer applied, per key in the order it applied it. */
  const appliedBy = async (groupId: string) => {
    const { rows } = await fixture().database.sql.query<{ message_id: string; key: string; n: number }>(
      `select message_id, key, n from ${effects} where consumer = $1 order by seq`,
      [groupId],
    );
    const byKey: Record<string, number[]> = {};
    for (const row of rows) (byKey[row.key] ??= []).push(row.n);
    return { rows: rows.length, ids: new Set(rows.map((row) => row.message_id)).size, byKey };
  };

  /** Counts the deliveries of a scenario's messages: parse sees every one, before the inbox. */
  const deliveryCounter = (scenario: string) => {
    const counter = {
      deliveries: 0,
      parse: (value: unknown): CountedEvent => {
        const event = value as CountedEvent;
        if (event.data.scenario === scenario) counter.deliveries += 1;
        return event;
      },
    };
    return counter;
  };

  it('delivers the message a handler reads on either bus, keyed by its stream, with the event id as its id', async () => {
    const scenario = 'shape';
    const groupId = `${fixture().prefix}-shape`;
    const seen: ConsumedMessage<CountedEvent>[] = [];
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      inbox: true,
      handle: async (message, context) => {
        if (message.value.data.scenario === scenario) seen.push(message);
        await countingHandler(groupId, scenario)(message, context);
      },
    });
    try {
      await publish(scenario, series('a', 0, 1));
      await eventually(() => seen.length === 1, 'the message', patience);
      expect(seen[0]).toMatchObject({
        topic: fixture().topic,
        key: 'shape-a',
        messageId: eventIdFor('shape-a-0', 0),
        headers: { 'event-id': eventIdFor('shape-a-0', 0), 'event-type': 'Counted', 'schema-version': '1', 'correlation-id': 'shape' },
        value: { stream: 'shape-a', data: { scenario, key: 'a', n: 0 } },
      });
    } finally {
      await consumer.stop();
    }
  });

  it('parks a poison key behind its failure while other keys flow on, and redrives it in order once fixed', async () => {
    const scenario = 'poison';
    const groupId = `${fixture().prefix}-poison`;
    const deadLetters = sqlDeadLetterStore(fixture().database.sql, { schema: fixture().database.schema });
    let fixed = false;
    // Interleaved, five of each key; b's third message (b2) is the poison. Published
    // before the consumer starts, so that it comes in one batch with the others.
    await publish(
      scenario,
      series('a', 0, 5).flatMap((a, i) => [a, { key: 'b', n: i }, { key: 'c', n: i }]),
    );
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      inbox: true,
      retry: { attempts: 3, initialMs: 10 },
      handle: countingHandler(groupId, scenario, ({ key, n }) => !fixed && key === 'b' && n === 2),
    });
    try {
      await eventually(
        async () => {
          const { byKey } = await appliedBy(groupId);
          return byKey.a?.length === 5 && byKey.c?.length === 5 && (await deadLetters.listParked(groupId))[0]?.messages === 3;
        },
        'a and c applied, b parked from b2',
        patience,
      );

      expect((await appliedBy(groupId)).byKey).toEqual({ a: [0, 1, 2, 3, 4], b: [0, 1], c: [0, 1, 2, 3, 4] });
      expect(await deadLetters.listParked(groupId)).toEqual([{ key: 'poison-b', messages: 3, firstError: 'b2 is poison', firstParkedAt: expect.any(Date) }]);
      const parked = await deadLetters.parkedMessages(groupId, 'poison-b');
      expect(parked.map((message) => (JSON.parse(message.value ?? 'null') as CountedEvent).data.n)).toEqual([2, 3, 4]);
      expect(parked[1]?.error).toBe("parked behind the failed message of key 'poison-b'");

      // The fix, then the operator's redrive: b's rest applied in order, nothing parked.
      fixed = true;
      expect(await consumer.redrive('poison-b')).toEqual({ applied: 3, remaining: 0 });
      expect(await deadLetters.listParked(groupId)).toEqual([]);

      // New messages of b flow normally again.
      await publish(scenario, [...series('b', 5, 7), ...series('a', 5, 6)]);
      await eventually(async () => (await appliedBy(groupId)).rows === 18, 'b5, b6 and a5 applied', patience);
      const applied = await appliedBy(groupId);
      expect(applied.byKey).toEqual({ a: [0, 1, 2, 3, 4, 5], b: [0, 1, 2, 3, 4, 5, 6], c: [0, 1, 2, 3, 4] });
      expect(applied.ids).toBe(18);
    } finally {
      await consumer.stop();
    }
  });

  it('parks a message that fails parse at once, without retrying it, and its key behind it', async () => {
    const scenario = 'unparsable';
    const groupId = `${fixture().prefix}-unparsable`;
    const deadLetters = sqlDeadLetterStore(fixture().database.sql, { schema: fixture().database.schema });
    const parsed: string[] = [];
    await publish(scenario, [
      { key: 'x', n: 0 },
      { key: 'x', n: -1 },
      { key: 'x', n: 2 },
      { key: 'y', n: 0 },
    ]);
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      inbox: true,
      retry: { attempts: 5, initialMs: 10 },
      parse: (value) => {
        const event = value as CountedEvent;
        if (event.data.scenario === scenario) parsed.push(`${event.data.key}${event.data.n}`);
        if (event.data.n < 0) throw new Error('n must not be negative');
        return event;
      },
      handle: countingHandler(groupId, scenario),
    });
    try {
      await eventually(
        async () => (await appliedBy(groupId)).byKey.y?.length === 1 && (await deadLetters.listParked(groupId))[0]?.messages === 2,
        'y0 applied and x parked from x-1',
        patience,
      );
      expect((await appliedBy(groupId)).byKey).toEqual({ x: [0], y: [0] });
      expect(parsed.filter((entry) => entry === 'x-1')).toHaveLength(1);
      expect(await deadLetters.listParked(groupId)).toEqual([
        { key: 'unparsable-x', messages: 2, firstError: 'unparsable message: n must not be negative', firstParkedAt: expect.any(Date) },
      ]);
    } finally {
      await consumer.stop();
    }
  });

  it('parks and redrives by the sequence a consumer orders by: two keys in one sequence, one key in two', async () => {
    const scenario = 'sequence';
    const groupId = `${fixture().prefix}-sequence`;
    const deadLetters = sqlDeadLetterStore(fixture().database.sql, { schema: fixture().database.schema });
    let fixed = false;
    // Keys a1 and a2 are one sequence; key m is two, its even and its odd messages.
    const sequenceBy = ({ value: { data } }: ConsumedMessage<CountedEvent>) =>
      data.key === 'm' ? `m-${data.n % 2 === 0 ? 'even' : 'odd'}` : `seq-${data.key[0]}`;
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      inbox: true,
      retry: { attempts: 2, initialMs: 10 },
      sequenceBy,
      handle: countingHandler(groupId, scenario, ({ key, n }) => !fixed && n === 0 && key === 'a1'),
    });
    try {
      await publish(scenario, [...series('a1', 0, 1), ...series('m', 0, 4)]);
      await eventually(async () => (await deadLetters.parkedMessages(groupId, 'seq-a')).length === 1, 'a1/0 parked', patience);
      // Behind a1/0 from now on: a2's messages too, though another key (maybe another partition).
      await publish(scenario, [
        { key: 'a2', n: 0 },
        { key: 'a1', n: 1 },
        { key: 'a2', n: 1 },
      ]);
      await eventually(async () => (await deadLetters.parkedMessages(groupId, 'seq-a')).length === 4, 'a1 and a2 parked behind a1/0', patience);
      await eventually(async () => (await appliedBy(groupId)).byKey.m?.length === 4, 'every m applied', patience);

      expect((await appliedBy(groupId)).byKey).toEqual({ m: [0, 1, 2, 3] });
      const parked = await deadLetters.parkedMessages(groupId, 'seq-a');
      expect(parked.map(({ key, sequenceKey }) => `${key}:${sequenceKey}`)).toEqual([
        'sequence-a1:seq-a',
        'sequence-a2:seq-a',
        'sequence-a1:seq-a',
        'sequence-a2:seq-a',
      ]);

      fixed = true;
      expect(await consumer.redrive('seq-a')).toEqual({ applied: 4, remaining: 0 });
      expect((await appliedBy(groupId)).byKey).toEqual({ m: [0, 1, 2, 3], a1: [0, 1], a2: [0, 1] });
      expect(await deadLetters.listParked(groupId)).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });

  it('parks one sequence of a key and lets its other sequence flow on', async () => {
    const scenario = 'split';
    const groupId = `${fixture().prefix}-split`;
    const deadLetters = sqlDeadLetterStore(fixture().database.sql, { schema: fixture().database.schema });
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      inbox: true,
      retry: { attempts: 2, initialMs: 10 },
      sequenceBy: ({ value: { data } }) => (data.n % 2 === 0 ? 'even' : 'odd'),
      handle: countingHandler(groupId, scenario, ({ n }) => n === 1),
    });
    try {
      await publish(scenario, series('k', 0, 6));
      await eventually(
        async () => (await appliedBy(groupId)).byKey.k?.length === 3 && (await deadLetters.parkedMessages(groupId, 'odd')).length === 3,
        'evens applied, odds parked',
        patience,
      );
      expect((await appliedBy(groupId)).byKey).toEqual({ k: [0, 2, 4] });
      expect((await deadLetters.listParked(groupId)).map(({ key, messages }) => ({ key, messages }))).toEqual([{ key: 'odd', messages: 3 }]);
    } finally {
      await consumer.stop();
    }
  });

  it('with concurrentSequences, handles keys of one partition at once, each in its order, and parks a poison key alone', async () => {
    const scenario = 'lanes';
    const groupId = `${fixture().prefix}-lanes`;
    const deadLetters = sqlDeadLetterStore(fixture().database.sql, { schema: fixture().database.schema });
    // Six keys, so that (on three partitions) one partition has two or more of them.
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    await publish(
      scenario,
      [0, 1, 2].flatMap((n) => keys.map((key) => ({ key, n }))),
    );
    const running = new Map<number, number>();
    let mostAtOnceInAPartition = 0;
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      concurrentSequences: 4,
      retry: { attempts: 2, initialMs: 10 },
      // No inbox: the effect is written alone, as a command handler's append is.
      handle: async ({ partition, messageId, value: { data } }) => {
        if (data.scenario !== scenario) return;
        running.set(partition, (running.get(partition) ?? 0) + 1);
        mostAtOnceInAPartition = Math.max(mostAtOnceInAPartition, running.get(partition) ?? 0);
        try {
          await sleep(50);
          if (data.key === 'b' && data.n === 1) throw new Error('b1 is poison');
          await fixture().database.sql.query(`insert into ${effects} (consumer, message_id, key, n) values ($1, $2, $3, $4)`, [
            groupId,
            messageId,
            data.key,
            data.n,
          ]);
        } finally {
          running.set(partition, (running.get(partition) ?? 1) - 1);
        }
      },
    });
    try {
      await eventually(
        async () => (await appliedBy(groupId)).rows === 16 && (await deadLetters.parkedMessages(groupId, 'lanes-b')).length === 2,
        'every key applied but b, parked from b1',
        patience,
      );
      const applied = await appliedBy(groupId);
      expect(applied.byKey).toEqual({ a: [0, 1, 2], b: [0], c: [0, 1, 2], d: [0, 1, 2], e: [0, 1, 2], f: [0, 1, 2] });
      expect(applied.ids).toBe(16);
      expect(mostAtOnceInAPartition).toBeGreaterThan(1);
    } finally {
      await consumer.stop();
    }
  });

  it("runs the handler in the message's trace, its log lines carrying the correlation id", async () => {
    const scenario = 'traced';
    const groupId = `${fixture().prefix}-traced`;
    const traceId = randomBytes(16).toString('hex');
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'contract',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const seen: { traceparent?: string }[] = [];
    const consumer = await fixture().consume<CountedEvent>({
      groupId,
      handle: async (message) => {
        if (message.value.data.scenario !== scenario) return;
        seen.push(traceHeaders());
        logger.info('handled');
      },
    });
    try {
      const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
      const metadata = { correlationId: 'order-42', causationId: 'http-1', schemaVersion: 1, traceparent };
      await fixture().store.appendToStream('traced-a', [{ id: eventIdFor('traced-a', 0), type: 'Counted', data: { scenario, key: 'a', n: 0 }, metadata }], {
        expectedRevision: 'any',
      });
      await eventually(() => seen.length === 1, 'the traced message', patience);
      expect(seen[0]?.traceparent?.split('-')[1]).toBe(traceId);
      expect(lines).toEqual([expect.objectContaining({ msg: 'handled', correlationId: 'order-42', traceId })]);
    } finally {
      await consumer.stop();
    }
  });

  it('resumes after what it did when started again, and applies nothing twice when its messages come again', async () => {
    const scenario = 'again';
    const groupId = `${fixture().prefix}-again`;
    const keys = ['p', 'q', 'r', 's'];
    const start = (counter: ReturnType<typeof deliveryCounter>) =>
      fixture().consume<CountedEvent>({ groupId, inbox: true, parse: counter.parse, handle: countingHandler(groupId, scenario) });
    const batch = (from: number, to: number) => keys.flatMap((key) => series(key, from, to));

    let counter = deliveryCounter(scenario);
    let consumer = await start(counter);
    await publish(scenario, batch(0, 5));
    await eventually(async () => (await appliedBy(groupId)).rows === 20, '20 applied', patience);
    await consumer.stop();

    // Stopped, then started again: only what came meanwhile is delivered.
    await publish(scenario, batch(5, 6));
    counter = deliveryCounter(scenario);
    consumer = await start(counter);
    await eventually(async () => (await appliedBy(groupId)).rows === 24, '24 applied', patience);
    await sleep(500); // time for a stray redelivery to show
    await consumer.stop();
    expect(counter.deliveries).toBe(4);

    // Rewound, as after a crash that lost its progress: every message comes again, and the inbox skips it.
    await fixture().rewind(groupId);
    counter = deliveryCounter(scenario);
    consumer = await start(counter);
    try {
      await eventually(() => counter.deliveries >= 24, 'the 24 delivered again', patience);
      await publish(scenario, batch(6, 7));
      await eventually(async () => (await appliedBy(groupId)).rows >= 28, '28 applied', patience);
      await sleep(500);
      const applied = await appliedBy(groupId);
      expect({ rows: applied.rows, ids: applied.ids }).toEqual({ rows: 28, ids: 28 });
      for (const key of keys) expect(applied.byKey[key]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    } finally {
      await consumer.stop();
    }
  });
};
