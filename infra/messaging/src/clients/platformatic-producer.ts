import type { IHeaders } from 'kafkajs';
import { readHeaders } from '../headers';
import type { MessageProducer } from './producer';

// Acks from all in-sync replicas (Kafka's -1), as the kafkajs producer sends them.
const ALL_REPLICAS = -1;

const toBuffer = (value: string | Buffer): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value));

const headerMap = (headers: IHeaders | undefined): Map<Buffer, Buffer> =>
  new Map(Object.entries(readHeaders(headers)).map(([name, value]) => [Buffer.from(name), Buffer.from(value)]));

/**
 * @platformatic/kafka's producer behind the port, with kafkajs's guarantees: idempotent,
 * acks from all replicas, one send at a time (the relay awaits each). Its partitioner is
 * the Java client's murmur2, as kafkajs's is: a key lands in the same partition whichever
 * client sent it (the library's default hashes negative values differently).
 */
export const platformaticProducer = async (options: { brokers: string[]; clientId: string }): Promise<MessageProducer> => {
  // Loaded when first used: a process on kafkajs (or on no Kafka, embedded mode) never holds it.
  const { compatibilityPartitioner, Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    idempotent: true,
    acks: ALL_REPLICAS,
    partitioner: compatibilityPartitioner,
    autocreateTopics: false,
  });
  return {
    sendBatch: async (topicMessages) => {
      const messages = topicMessages.flatMap(({ topic, messages: each }) =>
        each.map(({ key, value, headers }) => ({
          topic,
          ...(key === null || key === undefined ? {} : { key: toBuffer(key) }),
          ...(value === null ? {} : { value: toBuffer(value) }),
          headers: headerMap(headers),
        })),
      );
      if (messages.length > 0) await producer.send({ messages });
    },
    disconnect: () => producer.close(),
  };
};
