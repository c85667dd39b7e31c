// The order-placement saga's first version: reserve stock per line, then confirm the order.
// No new instance starts on it; it is kept so that instances started on it finish on it
// (docs/sagas.md, "Versions"). Drop it once none of its instances is left.
import { byDataField, defineSaga, fanOut, step } from '@ordo/saga';
import { ReleaseStockEndpoint, ReserveStockEndpoint } from '@ordo/inventory-contract';
import { ConfirmOrderEndpoint, RejectOrderEndpoint } from '@ordo/orders-contract';
import { orderPlaced, type OrderPlacementData } from './order-placed';

export const orderPlacementV1 = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 1,
  trigger: { type: 'OrderPlaced', data: orderPlaced, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  steps: [
    step('order', { compensation: { endpoint: RejectOrderEndpoint, data: ({ saga, reason }) => ({ orderId: saga.orderId, reason }) } }),
    fanOut('reserveStock', {
      over: (saga) => saga.lines,
      key: (line) => line.sku,
      action: { endpoint: ReserveStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId, quantity: line.quantity }) },
      compensation: { endpoint: ReleaseStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId }) },
    }),
    step('confirmOrder', { pivot: true, action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) } }),
  ],
});
