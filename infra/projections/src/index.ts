export type { Projection, ProjectionTable, ProjectionWriter, ProjectedEvent } from './definition';
export { rowProjection, revisionColumn, type RowProjectionOptions, type RowSource, type Row } from './row-projection';
export { projectionConsumer, projectionInbox, type ProjectionService } from './consumer';
export { applyMessages, type ApplyOptions } from './apply';
export { projectedEventOf, type ProjectionMessage } from './events';
export { projectionNames, projectionGroupId, type ProjectionNames } from './names';
export { migrateProjection, readRegistry, type ProjectionState } from './tables';
export {
  projectionStatus,
  kafkaLag,
  storeLag,
  STORE_LAG_CAP,
  type ProjectionStatus,
  type LagSource,
  type StatusOptions,
  type StoredCheckpoint,
} from './status';
export { registerProjectionLag, eventsAppliedCounter, PROJECTION_LAG_EVENTS, PROJECTION_LAG_SECONDS, PROJECTION_EVENTS_APPLIED } from './metrics';
export { projectionRoutes, requireLive, projectionGate } from './http';
export { rebuildProjection, replayInPlace, type RebuildOptions, type RebuildResult, type ReplayOptions } from './rebuild';
export type { TableDiff, DiffExample } from './diff';
export type { ProjectionFeed, FeedSession, FeedTarget, OnFeedBatch } from './feeds/feed';
export { kafkaFeed, type KafkaFeedOptions } from './feeds/kafka';
export { storeFeed, type FeedStore } from './feeds/store';
