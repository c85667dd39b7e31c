// First: corrects kafkajs's request queues before any connection uses them.
import './kafkajs-idle';
export { RELAY_DEFAULTS, startRelay, type Relay, type RelayOptions, type RelayStatus } from './relay/relay';
export { relayLockKey, RelayLockLostError, type RelayLockOptions } from './relay/lock';
export { MessageTooLargeError } from './relay/messages';
export { contextRouting, eventMessageValue, type Route, type Routing } from './relay/routing';
export { sqlCheckpointStore, type CheckpointStore } from './checkpoints';
export { HEADER, headersOf, messageIdOf, readHeaders, type MessageKind } from './headers';
export { CHUNK_SIZES } from './consumer/chunks';
export { kafkajsClient, platformaticClient, kafkaClientNamed, KAFKA_CLIENTS, type KafkaClient, type KafkaClientName } from './clients/kafka-client';
export type { MessageProducer, TopicMessages } from './clients/producer';
export { runConsumer, type ConsumerRunner, type ConsumerRunnerOptions, type RunnerOptions, type ConsumedMessage, type HandlerContext } from './consumer/runner';
export { DEFAULT_RETRY, type RetryPolicy } from './consumer/retry';
export { DEFAULT_INBOX_RETENTION, type InboxRetention } from './consumer/pruning';
export { inbox, pgPoolDatabase, pgliteDatabase, type Inbox, type TransactionalDatabase, type Query } from './consumer/inbox';
export { provisionTopics, describeProvisioning, eventTopic, commandTopic, deadLetterTopic, type TopicSpec, type ProvisionReport } from './topics';
export { sqlDeadLetterStore, type DeadLetterStore, type DeadLetter, type ParkedMessage, type ParkedKey, type RedriveResult } from './dead-letters/store';
export { consumerLag, registerConsumerLag, CONSUMER_LAG_METRIC, type PartitionLag } from './lag';
export { runEmbeddedConsumer, type EmbeddedConsumer, type EmbeddedConsumerOptions, type EmbeddedSource } from './embedded/bus';
export {
  kafkaBus,
  embeddedHub,
  type Bus,
  type PublishOptions,
  type BusConsumer,
  type BusConsumerOptions,
  type BusDatabase,
  type KafkaBusOptions,
  type EmbeddedHub,
} from './bus';
export {
  COMMAND_SEQUENCES_AT_ONCE,
  commandMessageSchema,
  commandMetadataOf,
  commandParser,
  UnknownCommandError,
  type CommandMessage,
  type CommandMessageOf,
  type CommandIssued,
  type CommandKind,
} from './commands';
export { commandEndpoint, CommandEndpointError, type CommandEndpoint, type CommandDataOf, type FailureDataOf, type ReplySchemas } from './endpoints';
export { publishedEventSchema, reactionCommandId, reactionContext, type PublishedEvent } from './reaction';
