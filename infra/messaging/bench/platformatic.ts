// The raw produce and consume of the messaging bench, with @platformatic/kafka instead of
// kafkajs: the maintained client the performance issue asked to measure beside kafkajs,
// with the same guarantees on the producer's side (idempotent, acks from all replicas).
// The raw clients only: the relay and the runner on it are src/clients/.
import { Consumer, Producer, stringSerializers } from '@platformatic/kafka';
import type { Message } from 'kafkajs';

// kafkajs' defaults for a fetch, so the two clients read in the same steps.
const FETCH = { maxBytes: 10 * 1024 * 1024, maxBytesPerPartition: 1024 * 1024, maxWaitTime: 500 };
const ALL_REPLICAS = -1;

/** Sends the batches one after another, each acknowledged before the next; the seconds from connecting. */
export const producePlatformatic = async (brokers: string[], topic: string, batches: Iterable<Message[]>): Promise<number> => {
  const started = performance.now();
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ALL_REPLICAS,
    serializers: stringSerializers,
  });
  try {
    for (const batch of batches) {
      await producer.send({
        messages: batch.map(({ key, value, headers }) => ({
          topic,
          key: String(key),
          value: String(value),
          headers: Object.fromEntries(Object.entries(headers ?? {}).map(([name, header]) => [name, String(header)])),
        })),
      });
    }
    return (performance.now() - started) / 1000;
  } finally {
    await producer.close();
  }
};

/** Reads the topic from its start with a group of its own, doing nothing with the messages, until `count`; the seconds from connecting. */
export const consumePlatformatic = async (brokers: string[], topic: string, groupId: string, count: number): Promise<number> => {
  const started = performance.now();
  const consumer = new Consumer({ clientId: 'bench-platformatic', bootstrapBrokers: brokers, groupId, ...FETCH });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    await new Promise<void>((resolve, reject) => {
      let consumed = 0;
      stream.on('error', reject);
      stream.on('data', () => {
        consumed += 1;
        if (consumed === count) resolve();
      });
    });
    const seconds = (performance.now() - started) / 1000;
    await stream.close();
    return seconds;
  } finally {
    await consumer.close(true);
  }
};
