export { createEventStore, openSharedPglite, type EventStoreOptions } from './create';
export type {
  EventStore,
  EventData,
  EventMetadata,
  RecordedEvent,
  PositionedEvent,
  ExpectedRevision,
  AppendOptions,
  AppendResult,
  ReadStreamOptions,
  ReadAllOptions,
  AllFilter,
  SubscribeOptions,
  Subscription,
  Snapshot,
  Checkpoint,
} from './types';
export { WrongExpectedRevisionError, InvalidEventError, EventTooLargeError, ForeignStreamError } from './errors';
export { DEFAULT_MAX_EVENT_BYTES } from './input';
export { eventIdFor } from './ids';
export { upcast, validateAgainstRegistry, type EventSchemaRegistry, type EventTypeSchema } from './registry';
export { APPEND_GROUPING, PostgresEventStore, postgresEventStore, type PostgresEventStoreOptions } from './postgres/store';
export { pgPoolDriver, pgliteDriver, LISTEN_APPLICATION_NAME, type PgDriver, type PgPoolDriverOptions } from './postgres/driver';
export type { ListenerLogger } from './postgres/listener';
export type { VisibilityReport } from './postgres/visibility';
export type { Command, CommandContext, Decider } from './decider';
export {
  commandHandler,
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandMetadata,
  type HandleOptions,
  type Aggregate,
  type DomainEvent,
  type Handled,
  type TogetherCommand,
} from './command-handler';
export { loadedStreams } from './loaded-streams';
