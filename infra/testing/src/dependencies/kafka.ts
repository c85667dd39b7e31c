import { KafkaContainer } from '@testcontainers/kafka';
import { brokerAnswers, DEFAULT_PORT, startBroker, stopBroker } from '@ordo/kafka-local';
import type { DependencySource } from './provide';

export const checkKafka = async (brokers: string): Promise<void> => {
  if (!(await brokerAnswers(brokers.split(','), 3_000))) throw new Error('no broker answered a metadata request');
};

export const kafkaSource: DependencySource = {
  name: 'Kafka',
  envVar: 'KAFKA_BROKERS',
  check: checkKafka,
  startContainer: async () => {
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.1').withKraft().start();
    return {
      address: `${container.getHost()}:${container.getMappedPort(9093)}`,
      detail: 'container confluentinc/cp-kafka:7.9.1 (KRaft)',
      stop: async () => void (await container.stop()),
    };
  },
  startLocal: async () => {
    // A broker already answering on the default port (another checkout's, or one a
    // developer started) serves as well: tests use topics of their own.
    const defaultAddress = `127.0.0.1:${process.env.ORDO_KAFKA_PORT ?? DEFAULT_PORT}`;
    if (await brokerAnswers([defaultAddress], 2_000)) {
      return { address: defaultAddress, detail: 'a broker already answering there (left running afterwards)' };
    }
    const started = Date.now();
    const broker = await startBroker({ log: (line) => console.log(`  ${line}`) });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return {
      address: broker.brokers.join(','),
      detail: broker.alreadyRunning
        ? `local broker from infra/kafka-local, already running (pid ${broker.pid})`
        : `local broker from infra/kafka-local, started in ${seconds} s (pid ${broker.pid})`,
      // Only the run that started the broker stops it; one found running is left alone.
      stop: broker.alreadyRunning ? undefined : async () => void (await stopBroker({ port: broker.port })),
    };
  },
  ways: [
    'set KAFKA_BROKERS to a running broker (host:port[,host:port])',
    'start a Docker engine, and testcontainers runs confluentinc/cp-kafka',
    'install Java 17+ and Maven, and the harness starts a real broker from infra/kafka-local',
  ],
};
