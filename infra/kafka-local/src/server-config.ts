import { randomBytes } from 'node:crypto';

export interface ServerConfig {
  port: number;
  controllerPort: number;
  dataDir: string;
}

/**
 * One node that is both broker and controller (KRaft). The single-node overrides are
 * what make it usable in tests: replication factor 1 for the internal topics, and no
 * initial rebalance delay so a consumer group starts at once instead of after 3 s.
 */
export const serverProperties = ({ port, controllerPort, dataDir }: ServerConfig): string =>
  [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are provisioned explicitly (with their retention), never by a typo.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');

export const log4jProperties = (): string =>
  [
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.stdout.ref = STDOUT',
    'appender.stdout.type = Console',
    'appender.stdout.name = STDOUT',
    'appender.stdout.layout.type = PatternLayout',
    'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
    // The controller's and log cleaner's chatter says nothing a developer needs.
    'logger.kafka.name = kafka',
    'logger.kafka.level = WARN',
    'logger.apache.name = org.apache.kafka',
    'logger.apache.level = WARN',
    'logger.started.name = kafka.server.KafkaRaftServer',
    'logger.started.level = INFO',
    '',
  ].join('\n');

/** A KRaft cluster id: 16 random bytes, base64url; never starting with '-', which the CLI would read as a flag. */
export const newClusterId = (): string => {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
};
