export { orderPlacementService, orderPlacementServiceWith, orderPlacementConfigShape, SAGAS_CONTEXT, SAGAS_STREAM_PREFIXES } from './service';
export { orderPlacementV1, type OrderPlacementData } from './definition';
export { orderPlacementV2, NO_CARD_TOKEN } from './v2';
export { orderPlacementV3 } from './v3';
export { orderPlacement, orderPlacementVersion, orderPlacementVersions } from './versions';
export { orderCancellation, orderCancellationV1, orderCancellationV2, orderCancellationVersions, type OrderCancellationData } from './cancellation';
