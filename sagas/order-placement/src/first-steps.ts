// What every version of order placement shares: its trigger and association (which must
// not change between versions: they name an instance before its version is known) and
// its first two steps. A step that has to change in a later version is written anew
// there, since an instance finishes on the steps it started with.
import { byDataField, fanOut, step } from '@ordo/saga';
import { ReleaseStockEndpoint, ReserveStockEndpoint } from '@ordo/inventory-contract';
import { RejectOrderEndpoint } from '@ordo/orders-contract';
import { orderPlaced, type OrderPlacementData } from './order-placed';

export const placement = {
  name: 'orderPlacement',
  trigger: { type: 'OrderPlaced', data: orderPlaced, key: (saga: OrderPlacementData) => saga.orderId },
  association: byDataField('orderId'),
};

/** No action: the order exists already. Its compensation ends every rollback. */
export const order = step('order', {
  compensation: {
    endpoint: RejectOrderEndpoint,
    data: ({ saga, reason }: { saga: OrderPlacementData; reason: string }) => ({ orderId: saga.orderId, reason }),
  },
});

export const reserveStock = fanOut('reserveStock', {
  over: (saga: OrderPlacementData) => saga.lines,
  key: (line) => line.sku,
  action: { endpoint: ReserveStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId, quantity: line.quantity }) },
  compensation: { endpoint: ReleaseStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId }) },
});
