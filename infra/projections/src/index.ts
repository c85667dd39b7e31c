export type { Projection, ProjectionTable, ProjectionWriter, ProjectedEvent } from './definition';
