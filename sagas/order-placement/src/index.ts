export { orderPlacementService, SAGAS_CONTEXT, SAGAS_STREAM_PREFIXES } from './service';
export { orderPlacement, type OrderPlacementData } from './definition';
