// Only the composition root imports a service; other contexts use @ordo/orders-contract.
export { ordersService } from './service';
