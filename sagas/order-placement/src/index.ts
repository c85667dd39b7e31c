export { orderPlacementService, SAGAS_CONTEXT, SAGAS_STREAM_PREFIXES } from './service';
export { orderPlacement, orderPlacementVersions, type OrderPlacementData } from './definition';
