import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startBroker, stopBroker } from '@ordo/kafka-local';

export interface BenchKafka {
  kafka: Kafka;
  /** Its addresses, for another client to reach it. */
  brokers: string[];
  /** Connected. */
  admin: Admin;
  /** Disconnects, and stops the broker if this started it. */
  close(): Promise<void>;
}

/**
 * A benchmark's Kafka: KAFKA_BROKERS, else the local broker (`@ordo/kafka-local`), started
 * here when none runs and stopped by `close`.
 */
export const benchKafka = async (clientId: string): Promise<BenchKafka> => {
  const local = process.env.KAFKA_BROKERS ? undefined : await startBroker({ log: (line) => console.log(line) });
  const brokers = process.env.KAFKA_BROKERS?.split(',') ?? local?.brokers ?? [];
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  return {
    kafka,
    brokers,
    admin,
    close: async () => {
      await admin.disconnect();
      if (local && !local.alreadyRunning) await stopBroker({ port: local.port });
    },
  };
};
