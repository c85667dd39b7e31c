// The order-placement saga (docs/architecture.md, "The flow of one order"), first version: reserve
// stock per line, then confirm the order. Before the pivot a refusal, or a reservation that
// gets no reply in two sendings of 30 s, releases what was reserved and rejects the order
// with the reason.
import { byDataField, defineSaga, fanOut, step, type IncomingEvent, type SagaDefinition } from '@ordo/saga';
import { ReleaseStockEndpoint, ReserveStockEndpoint } from '@ordo/inventory-contract';
import { ConfirmOrderEndpoint, OrderPlaced, RejectOrderEndpoint } from '@ordo/orders-contract';

/** What an instance keeps of its OrderPlaced. */
export interface OrderPlacementData {
  orderId: string;
  lines: { sku: string; quantity: number }[];
}

const placed = (event: IncomingEvent): OrderPlacementData => {
  const { orderId, lines } = OrderPlaced.parse(event.data);
  return { orderId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) };
};

// A refused reservation's reason (StockReservationRejected's `reason`) is the reason the order is rejected with.
export const orderPlacement = defineSaga<OrderPlacementData>({
  name: 'orderPlacement',
  version: 1,
  trigger: { type: 'OrderPlaced', data: placed, key: (saga) => saga.orderId },
  association: byDataField('orderId'),
  steps: [
    // No action: the order exists already. Its compensation ends every rollback.
    step('order', { compensation: { endpoint: RejectOrderEndpoint, data: ({ saga, reason }) => ({ orderId: saga.orderId, reason }) }, timeoutMs: 30_000 }),
    fanOut('reserveStock', {
      over: (saga) => saga.lines,
      key: (line) => line.sku,
      action: { endpoint: ReserveStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId, quantity: line.quantity }) },
      compensation: { endpoint: ReleaseStockEndpoint, data: ({ saga, line }) => ({ sku: line.sku, orderId: saga.orderId }) },
      // A reservation nobody answers is sent once more, then the order is rejected.
      timeoutMs: 30_000,
      retry: { attempts: 2 },
    }),
    // The pivot: sent until orders answers, however long that takes.
    step('confirmOrder', { pivot: true, action: { endpoint: ConfirmOrderEndpoint, data: ({ saga }) => ({ orderId: saga.orderId }) }, timeoutMs: 30_000 }),
  ],
});

/**
 * Every version the service registers, newest first: new instances start on the first, and the
 * others finish the instances that started on them. The replay check replays each one's fixtures.
 */
export const orderPlacementVersions: readonly SagaDefinition<OrderPlacementData>[] = [orderPlacement];
