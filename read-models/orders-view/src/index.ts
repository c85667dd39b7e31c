export { ordersViewService } from './service';
export { ordersViewProjection } from './projection';
