export { orderPlacementService, SAGAS_CONTEXT } from './service';
export { orderPlacement, type OrderPlacementData } from './definition';
