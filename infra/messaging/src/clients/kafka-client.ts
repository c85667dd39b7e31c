import type { Kafka } from 'kafkajs';
import { runConsumer, type ConsumerRunner, type RunnerOptions } from '../consumer/runner';
import { platformaticProducer } from './platformatic-producer';
import { runPlatformaticConsumer } from './platformatic-runner';
import { kafkajsProducer, type MessageProducer } from './producer';

/** The Kafka clients Ordo runs its relays and consumers on (docs/messaging.md, "The Kafka client"). */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/**
 * The client behind the Kafka bus's data path: the relay's producer and the consumer
 * groups. Topics and lag are read with kafkajs's admin whichever it is.
 */
export interface KafkaClient {
  readonly name: KafkaClientName;
  producer(): Promise<MessageProducer>;
  runConsumer<T>(options: RunnerOptions<T>): Promise<ConsumerRunner>;
}

export const kafkajsClient = (kafka: Kafka): KafkaClient => ({
  name: 'kafkajs',
  producer: () => kafkajsProducer(kafka),
  runConsumer: (options) => runConsumer({ ...options, kafka }),
});

export const platformaticClient = ({ brokers, clientId }: { brokers: string[]; clientId: string }): KafkaClient => ({
  name: 'platformatic',
  producer: () => platformaticProducer({ brokers, clientId }),
  runConsumer: (options) => runPlatformaticConsumer({ ...options, brokers, clientId }),
});

/** The client a name stands for (a service's KAFKA_CLIENT): kafkajs's with `kafka`, @platformatic/kafka's with the brokers. */
export const kafkaClientNamed = (name: KafkaClientName, { kafka, brokers, clientId }: { kafka: Kafka; brokers: string[]; clientId: string }): KafkaClient =>
  name === 'platformatic' ? platformaticClient({ brokers, clientId }) : kafkajsClient(kafka);
