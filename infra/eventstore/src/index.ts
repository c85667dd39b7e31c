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
export { WrongExpectedRevisionError, InvalidEventError } from './errors';
export { eventIdFor } from './ids';
export { upcast, validateAgainstRegistry, type EventSchemaRegistry, type EventTypeSchema } from './registry';
export { PostgresEventStore, postgresEventStore, type PostgresEventStoreOptions } from './postgres/store';
export { pgPoolDriver, pgliteDriver, type PgDriver } from './postgres/driver';
export type { VisibilityReport } from './postgres/visibility';
export { commandHandler, type CommandHandler, type CommandHandlerOptions, type CommandMetadata, type HandleOptions, type Aggregate, type DomainEvent, type Handled } from './command-handler';
