import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { sqlDeadLetterStore, type DeadLetterStore } from '../dead-letters/store';
import { HEADER } from '../headers';
import { runConsumer, type ConsumerRunner } from './runner';

// A consumer with sequenceBy reloads the parked sequences at every batch, since another
// member may park any of them, unless the group has it alone (kafkajs: the runner describes
// the group after each assignment). Once another member joins, it reloads at every batch
// again, and so honours a sequence the new member parked on another partition.
const scope = testScope();

interface Sent {
  seq: string;
  n: number;
  poison?: boolean;
}

const patience = { timeoutMs: 60_000, intervalMs: 20 };

describe('a consumer with sequenceBy', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(async () => pool.end());

  it('alone in its group, does not reload the parked sequences at every batch; with another member, it does, and parks behind what that member parked', async () => {
    const topic = await scope.createTopic('alone', { numPartitions: 2 });
    const groupId = scope.topic('alone');
    const store = sqlDeadLetterStore(pool, { schema: scope.schema });
    await store.migrate();
    const reloads = new Map<string, number>();
    const applied: Array<Sent & { member: string }> = [];
    const member = (name: string) => {
      // The member's own view of the store, counting its reloads of the parked sequences.
      const counted: DeadLetterStore = {
        ...store,
        parkedKeys: async (consumer) => {
          reloads.set(name, (reloads.get(name) ?? 0) + 1);
          return store.parkedKeys(consumer);
        },
      };
      return runConsumer<Sent>({
        kafka: scope.kafka(name),
        groupId,
        topics: [topic],
        deadLetters: { store: counted },
        sequenceBy: ({ value }) => value.seq,
        parse: (value) => value as Sent,
        // A poison message fails for good: parked at once under its sequence, with no retries to wait for.
        handle: async ({ value }) => {
          if (value.poison) throw new Error(`${value.seq} ${value.n} is poison`);
          applied.push({ ...value, member: name });
        },
        permanent: () => true,
      });
    };

    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let sent = 0;
    /** Sends one message to a partition, under a key of its own. */
    const sendTo = async (partition: number, value: Sent) => {
      sent += 1;
      await producer.send({ topic, messages: [{ partition, key: `key-${sent}`, value: JSON.stringify(value), headers: { [HEADER.eventId]: `m-${sent}` } }] });
    };
    const members = new Map<string, ConsumerRunner>();
    try {
      members.set('a', await member('a'));
      // Its first batches reload, until the group is described.
      for (let n = 0; n < 3; n++) {
        await sendTo(n % 2, { seq: `warm-${n}`, n });
        await eventually(() => applied.some((each) => each.seq === `warm-${n}`), `warm-up ${n} applied`, patience);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = reloads.get('a') ?? 0;
      for (let n = 0; n < 10; n++) {
        await sendTo(n % 2, { seq: `alone-${n}`, n });
        await eventually(() => applied.some((each) => each.seq === `alone-${n}`), `alone ${n} applied`, patience);
      }
      // Ten batches, one message each: at every batch would be ten reloads; alone, one a second at most.
      expect((reloads.get('a') ?? 0) - before).toBeLessThan(5);

      members.set('b', await member('b'));
      let round = 0;
      await eventually(
        async () => {
          round += 1;
          await sendTo(0, { seq: `both-${round}`, n: round });
          await sendTo(1, { seq: `both-${round}`, n: round });
          return new Set(applied.map(({ member: name }) => name)).size === 2;
        },
        'both members applying messages',
        patience,
      );
      // Partition 0's owner parks a sequence; its next message, on partition 1, waits behind it.
      await sendTo(0, { seq: 'spans', n: 0, poison: true });
      await eventually(async () => (await store.parkedMessages(groupId, 'spans')).length === 1, 'the poison message parked', patience);
      await sendTo(1, { seq: 'spans', n: 1 });
      await sendTo(1, { seq: 'after', n: 1 });
      await eventually(() => applied.some((each) => each.seq === 'after'), 'the message after it applied', patience);
      expect(applied.filter((each) => each.seq === 'spans')).toEqual([]);
      await eventually(async () => (await store.parkedMessages(groupId, 'spans')).length === 2, 'the next message parked behind', patience);
    } finally {
      await producer.disconnect();
      for (const runner of members.values()) await runner.stop();
    }
  }, 120_000);
});
