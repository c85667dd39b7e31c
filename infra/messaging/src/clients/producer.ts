import type { Kafka, Message } from 'kafkajs';

/** Messages for one topic, in the order they are to keep (per key). */
export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/**
 * What the relay and the dead letters need of a Kafka producer: idempotent, acks from all
 * replicas, and one request in flight, so that retries keep the order per key. A send
 * resolves once every message of it is acknowledged.
 */
export interface MessageProducer {
  sendBatch(topicMessages: TopicMessages[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** The kafkajs producer behind the port. */
export const kafkajsProducer = async (kafka: Kafka): Promise<MessageProducer> => {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    sendBatch: async (topicMessages) => {
      await producer.sendBatch({ acks: -1, topicMessages });
    },
    disconnect: () => producer.disconnect(),
  };
};
