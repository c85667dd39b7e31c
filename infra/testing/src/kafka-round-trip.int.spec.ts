import { Partitioners, type Consumer, type Producer } from 'kafkajs';
import { testScope } from './scope';

const scope = testScope();
const KEYS = Array.from({ length: 12 }, (_, i) => `order-${i}`);
const PER_KEY = 25;

describe('Kafka round trip with kafkajs through a 3-partition topic', () => {
  let producer: Producer;
  let consumer: Consumer;

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
  });

  it('delivers every message, each key on one partition, in the order it was sent', async () => {
    const topic = await scope.createTopic('round-trip', { numPartitions: 3 });
    const kafka = scope.kafka();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // Interleave keys so that order per key is tested, not order of the whole batch.
    const messages = Array.from({ length: PER_KEY }, (_, seq) => KEYS.map((key) => ({ key, value: JSON.stringify({ key, seq }) }))).flat();
    for (let start = 0; start < messages.length; start += 40) {
      await producer.send({ topic, acks: -1, messages: messages.slice(start, start + 40) });
    }

    const received: { key: string; seq: number; partition: number; messageKey: string }[] = [];
    consumer = kafka.consumer({ groupId: scope.topic('group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const { key, seq } = JSON.parse(String(message.value)) as { key: string; seq: number };
          received.push({ key, seq, partition, messageKey: String(message.key) });
          if (received.length === messages.length) resolve();
        },
      });
    });
    await all;

    expect(received).toHaveLength(KEYS.length * PER_KEY);
    expect(received.every((message) => message.messageKey === message.key)).toBe(true);
    for (const key of KEYS) {
      const ofKey = received.filter((message) => message.key === key);
      expect(ofKey.map((message) => message.seq)).toEqual(Array.from({ length: PER_KEY }, (_, seq) => seq));
      expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
    }
    expect(new Set(received.map((message) => message.partition)).size).toBe(3);
  });
});
