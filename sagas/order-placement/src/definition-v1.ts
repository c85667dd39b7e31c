// The order-placement saga's first version: reserve stock per line, then confirm the order.
// No new instance starts on it; it is kept so that instances started on it finish on it
// (docs/sagas.md, "Versions"). Drop it once none of its instances is left.
import { defineSaga, step } from '@ordo/saga';
import { ConfirmOrderEndpoint } from '@ordo/orders-contract';
import { order, placement, reserveStock } from './first-steps';
import type { OrderPlacementData } from './order-placed';

export const orderPlacementV1 = defineSaga<OrderPlacementData>({
  ...placement,
  version: 1,
  steps: [
    order,
    reserveStock,
    step('confirmOrder', { pivot: true, action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) } }),
  ],
});
