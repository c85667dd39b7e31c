// Delivers an event on the shop's bus a second time, as Kafka does after a rebalance or a
// relay that crashed before it marked what it published: the same key, value and headers,
// under a new offset. Then waits until a consumer group has read past it, so a test can
// check that nothing happened without racing the consumer.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { eventually } from '@ordo/testing/eventually';

type BusEvent = { id: string; type: string; data: Record<string, unknown> };

interface Published {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** The first message on `topic` whose value (an event as JSON) passes `matches`, read from the topic's beginning. */
const findMessage = async (kafka: Kafka, topic: string, matches: (event: BusEvent) => boolean): Promise<Published> => {
  const consumer = kafka.consumer({ groupId: `test-redeliver-${randomUUID()}` });
  await consumer.connect();
  try {
    let found: Published | undefined;
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (found || !message.value) return;
        if (matches(JSON.parse(message.value.toString()) as BusEvent))
          found = { key: message.key, value: message.value, ...(message.headers && { headers: message.headers }) };
      },
    });
    return await eventually(async () => found, `a message on ${topic} that matches`, { timeoutMs: 60_000, intervalMs: 100 });
  } finally {
    await consumer.disconnect();
  }
};

/**
 * Publishes the first event on `topic` that `matches` again, and resolves once `groupId`
 * has committed past the copy (its consumer handled it). `rewrite` changes the copy's
 * event first: a new id makes it a second answer rather than the same one delivered again.
 * Resolves to the event the copy carries.
 */
export const redeliver = async (options: {
  brokers: string[];
  topic: string;
  groupId: string;
  matches: (event: BusEvent) => boolean;
  rewrite?: (event: BusEvent) => BusEvent;
}): Promise<BusEvent> => {
  const kafka = new Kafka({ clientId: 'test-redeliver', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const found = await findMessage(kafka, options.topic, options.matches);
  const { rewrite } = options;
  const event = JSON.parse(found.value?.toString() ?? 'null') as BusEvent;
  const copied = rewrite ? rewrite(event) : event;
  const message = { ...found, value: JSON.stringify(copied) };
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: options.topic, messages: [message] }).finally(() => producer.disconnect());
  if (!sent?.baseOffset) throw new Error(`the copy on ${options.topic} has no offset`);
  const copy = BigInt(sent.baseOffset);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] });
        const committed = offsets?.partitions.find((partition) => partition.partition === sent.partition)?.offset;
        return committed !== undefined && BigInt(committed) > copy ? true : undefined;
      },
      `${options.groupId} to read past the copy at ${options.topic}[${sent.partition}]@${copy}`,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } finally {
    await admin.disconnect();
  }
  return copied;
};
