// The order-placement saga (docs/architecture.md, "The flow of one order"), first version: reserve
// stock per line, then confirm the order. Before the pivot a refusal releases what was
// reserved and rejects the order with the refusal's reason.
import { byDataField, defineSaga, fanOut, step, type IncomingEvent } from '@ordo/saga';
import { StockReservationRejected, type ReleaseStock, type ReserveStock } from '@ordo/inventory-contract';
import { OrderPlaced, type ConfirmOrder, type RejectOrder } from '@ordo/orders-contract';

/** What an instance keeps of its OrderPlaced. */
export interface OrderPlacementData {
  orderId: string;
  lines: { sku: string; quantity: number }[];
}

const placed = (event: IncomingEvent): OrderPlacementData => {
  const { orderId, lines } = OrderPlaced.parse(event.data);
  return { orderId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) };
};

// Tolerant: a rejection without a readable reason still rolls the order back, naming what it can.
const rejection = (reply: IncomingEvent): string => {
  const parsed = StockReservationRejected.partial().safeParse(reply.data);
  const { reason, sku } = parsed.success ? parsed.data : {};
  return reason ?? `stock reservation rejected for ${sku ?? 'an order line'}`;
};

export const orderPlacement = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 1,
  trigger: { type: 'OrderPlaced', data: placed, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  steps: [
    step('order', {
      // No action: the order exists already. Its compensation ends every rollback.
      compensation: {
        target: 'orders',
        command: 'RejectOrder',
        aggregateId: ({ saga }) => saga.orderId,
        data: ({ saga, reason }): RejectOrder => ({ orderId: saga.orderId, reason }),
        success: ['OrderRejected'],
      },
    }),
    fanOut('reserveStock', {
      over: (saga) => saga.lines,
      key: (line) => line.sku,
      action: {
        target: 'inventory',
        command: 'ReserveStock',
        aggregateId: ({ line }) => line.sku,
        data: ({ saga, line }): ReserveStock => ({ sku: line.sku, orderId: saga.orderId, quantity: line.quantity }),
        success: ['StockReserved'],
        failure: { StockReservationRejected: rejection },
      },
      compensation: {
        target: 'inventory',
        command: 'ReleaseStock',
        aggregateId: ({ line }) => line.sku,
        data: ({ saga, line }): ReleaseStock => ({ sku: line.sku, orderId: saga.orderId }),
        success: ['StockReleased'],
      },
    }),
    step('confirmOrder', {
      pivot: true,
      action: {
        target: 'orders',
        command: 'ConfirmOrder',
        aggregateId: ({ saga }) => saga.orderId,
        data: ({ saga }): ConfirmOrder => ({ orderId: saga.orderId }),
        success: ['OrderConfirmed'],
      },
    }),
  ],
});
