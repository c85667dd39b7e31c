export { inventoryViewService } from './service';
export { inventoryViewProjection } from './projection';
