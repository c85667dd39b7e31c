export { startRelay, type Relay, type RelayOptions, type RelayStatus } from './relay/relay';
export { contextRouting, eventMessageValue, type Route, type Routing, type IssuedCommand } from './relay/routing';
export { sqlCheckpointStore, type CheckpointStore } from './checkpoints';
export { HEADER, headersOf, readHeaders } from './headers';
export { runConsumer, type ConsumerRunner, type ConsumerRunnerOptions, type ConsumedMessage, type HandlerContext } from './consumer/runner';
export { inbox, pgPoolDatabase, pgliteDatabase, type Inbox, type TransactionalDatabase, type Query } from './consumer/inbox';
export { provisionTopics, describeProvisioning, eventTopic, commandTopic, deadLetterTopic, type TopicSpec, type ProvisionReport } from './topics';
export { sqlDeadLetterStore, type DeadLetterStore, type DeadLetter, type ParkedMessage, type ParkedKey, type RedriveResult } from './dead-letters/store';
export { consumerLag, registerConsumerLag, type PartitionLag } from './lag';
