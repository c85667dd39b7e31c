// The order-placement saga (docs/architecture.md, "The flow of one order"), first version: reserve
// stock per line, then confirm the order. Before the pivot a refusal, or a reservation that
// gets no reply in two sendings of 30 s, releases what was reserved and rejects the order
// with the reason.
import { byDataField, defineSaga, step, type IncomingEvent } from '@ordo/saga';
import { ConfirmOrderEndpoint, OrderPlaced } from '@ordo/orders-contract';
import { AT_AND_AFTER_THE_PIVOT, orderStep, reserveStockStep, type OrderPlacementData } from './first-steps';

export type { OrderPlacementData };

// The order and its lines only: version 1's instances record nothing else of OrderPlaced.
const placed = (event: IncomingEvent): OrderPlacementData => {
  const { orderId, lines } = OrderPlaced.parse(event.data);
  return { orderId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) };
};

export const orderPlacementV1 = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 1,
  trigger: { type: 'OrderPlaced', data: placed, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  steps: [
    orderStep,
    reserveStockStep,
    // The pivot: sent until orders answers, however long that takes.
    step('confirmOrder', {
      pivot: true,
      action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) },
      ...AT_AND_AFTER_THE_PIVOT,
    }),
  ],
});
