import pg from 'pg';
import { eventually, testScope } from '@ordo/testing';
import { KAFKA_CLIENTS, kafkaClientNamed } from '../clients/kafka-client';
import { sqlDeadLetterStore } from '../dead-letters/store';
import { HEADER } from '../headers';
import type { ConsumerRunner } from './runner';

// A member reloads the parked keys only after the group gives it partitions anew (a
// consumer sequenced by Kafka key: only a partition's owner parks its keys). So a key
// parked by a member that then leaves is honoured by the member that takes its partition
// over, although that member had loaded the parked keys before the key was parked.
const scope = testScope();

interface Sent {
  key: string;
  n: number;
  poison?: boolean;
}

const patience = { timeoutMs: 60_000, intervalMs: 50 };

describe.each(KAFKA_CLIENTS)('a key parked by the owner of its partition, on %s', (clientName) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(async () => pool.end());

  it('stays parked for the member that takes the partition over: later messages of the key wait behind it', async () => {
    const topic = await scope.createTopic(`handover-${clientName}`, { numPartitions: 2 });
    const groupId = scope.topic(`handover-${clientName}`);
    const store = sqlDeadLetterStore(pool, { schema: scope.schema });
    const applied: Array<Sent & { member: string }> = [];
    const poisonSeenBy: string[] = [];
    const member = (name: string) =>
      kafkaClientNamed(clientName, { kafka: scope.kafka(name), brokers: scope.env.kafkaBrokers, clientId: name }).runConsumer<Sent>({
        groupId,
        topics: [topic],
        deadLetters: { store },
        // A poison message fails parse: parked at once, with no retries to wait for.
        parse: (value) => {
          const sent = value as Sent;
          if (sent.poison) {
            poisonSeenBy.push(name);
            throw new Error(`${sent.key} ${sent.n} is poison`);
          }
          return sent;
        },
        handle: async ({ value }) => void applied.push({ ...value, member: name }),
      });

    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = (messages: Sent[]) =>
      producer.send({
        topic,
        messages: messages.map((value) => ({ key: value.key, value: JSON.stringify(value), headers: { [HEADER.eventId]: `${value.key}-${value.n}` } })),
      });
    const keys = Array.from({ length: 8 }, (_, index) => `k${index}`); // on both partitions
    const members = new Map<string, ConsumerRunner>();
    try {
      members.set('a', await member('a'));
      members.set('b', await member('b'));
      // Both members have handled batches, and so loaded the parked keys (none yet).
      let round = 0;
      await eventually(
        async () => {
          await send(keys.map((key) => ({ key, n: round })));
          round += 1;
          return new Set(applied.map(({ member: name }) => name)).size === 2;
        },
        'both members applying messages',
        patience,
      );

      await send([{ key: 'k0', n: round, poison: true }]);
      await eventually(async () => (await store.parkedMessages(groupId, 'k0')).length === 1, 'the poison message parked', patience);
      const [owner] = poisonSeenBy;
      const other = owner === 'a' ? 'b' : 'a';
      await members.get(owner as string)?.stop(); // leaves the group: the other member takes k0's partition
      members.delete(owner as string);

      await send([
        { key: 'k0', n: round + 1 },
        { key: 'k1', n: round + 1 },
      ]);
      await eventually(() => applied.some(({ key, n }) => key === 'k1' && n === round + 1), 'k1 applied after the partition moved', patience);
      await eventually(async () => (await store.parkedMessages(groupId, 'k0')).length === 2, 'k0 parked behind its poison message', patience);

      expect(applied.filter(({ key, n }) => key === 'k0' && n > round)).toEqual([]);
      expect(applied.some(({ member: name, n }) => name === other && n === round + 1)).toBe(true);
    } finally {
      await producer.disconnect();
      for (const runner of members.values()) await runner.stop();
    }
  }, 120_000);
});
