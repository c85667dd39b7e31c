export type { Projection, ProjectionTable, ProjectionWriter, ProjectedEvent } from './definition';
export { rowProjection, revisionColumn, type RowProjectionOptions, type RowSource, type Row } from './row-projection';
export { projectionConsumer, projectionInbox, type ProjectionService } from './consumer';
export { applyMessages, type ApplyOptions } from './apply';
export { projectedEventOf, type ProjectionMessage } from './events';
export { projectionNames, projectionGroupId, type ProjectionNames } from './names';
export { migrateProjection, readRegistry, type ProjectionState } from './tables';
