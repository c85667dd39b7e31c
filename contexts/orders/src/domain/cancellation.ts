// Cancelling an order, as its owner or an operator asks and the sagas carry it out: the
// order records the request, and ends cancelled once the saga has undone what the placement
// did, or goes on when the saga could not (the shipment had left).
import type { Command } from '@ordo/eventstore';
import type { OrderEvent } from '@ordo/orders-contract';
import { OrderNotFound, OrderRuleBroken } from './errors';
import type { Order } from './order';

/**
 * `by`: the caller's scope, which must be the order's owner unless `actsForAnyOrder` (an
 * operator). Anyone else is answered as for an order that does not exist.
 */
export type CancelOrder = Command<'CancelOrder', { orderId: string; reason: string; by: string; actsForAnyOrder: boolean }>;
/** From the cancellation saga, once stock, payment and shipment are undone. */
export type CompleteCancellation = Command<'CompleteCancellation', { orderId: string }>;
/** From the cancellation saga, when it could not undo the order. */
export type RefuseCancellation = Command<'RefuseCancellation', { orderId: string; reason: string }>;

/** A confirmed order's cancellation starts: the cancellation saga reads the lines whose stock it releases. */
export const cancellationStarted = (
  state: { orderId: string; lines: readonly { sku: string; quantity: number }[] },
  reason: string,
  at: string,
): OrderEvent => ({
  type: 'OrderCancellationStarted',
  data: { orderId: state.orderId, reason, lines: state.lines.map(({ sku, quantity }) => ({ sku, quantity })), at },
});

/**
 * A pending or confirmed order may be cancelled once. A pending one records the request,
 * which the placement saga compensates on; a confirmed one also starts the cancellation saga.
 * A shipped, rejected or cancelled order, or one whose cancellation was asked already, is
 * refused (409); a retried request with the same Idempotency-Key is the same command, which
 * the order answers once.
 */
export const cancelOrder = (command: CancelOrder, state: Order): OrderEvent[] => {
  const { orderId, reason, by, actsForAnyOrder } = command.data;
  const at = command.metadata.now;
  if (state.status === 'absent' || !(actsForAnyOrder || (state.owner !== undefined && state.owner === by))) throw new OrderNotFound(orderId);
  switch (state.status) {
    case 'pending':
    case 'confirmed': {
      if (state.cancellation) throw new OrderRuleBroken(`order ${orderId} is being cancelled already (asked at ${state.cancellation.requestedAt})`);
      const requested: OrderEvent = { type: 'OrderCancellationRequested', data: { orderId, reason, by, at } };
      return state.status === 'pending' ? [requested] : [requested, cancellationStarted(state, reason, at)];
    }
    case 'shipped':
      throw new OrderRuleBroken(`order ${orderId} was shipped at ${state.shippedAt}; it can no longer be cancelled`);
    case 'rejected':
    case 'cancelled':
      throw new OrderRuleBroken(`order ${orderId} was ${state.status} (${state.reason}); there is nothing to cancel`);
    default: {
      const unknown: never = state;
      throw new Error(`unknown order state ${JSON.stringify(unknown)}`);
    }
  }
};

export const completeCancellation = (command: CompleteCancellation, state: Order): OrderEvent[] => {
  const { orderId } = command.data;
  if (state.status === 'absent') throw new OrderNotFound(orderId);
  if (state.status === 'cancelled') return []; // cancelled already: nothing new
  if (state.status !== 'confirmed' || !state.cancellation) throw new OrderRuleBroken(`order ${orderId} is ${state.status} and not being cancelled`);
  return [{ type: 'OrderCancelled', data: { orderId, reason: state.cancellation.reason, at: command.metadata.now } }];
};

export const refuseCancellation = (command: RefuseCancellation, state: Order): OrderEvent[] => {
  const { orderId, reason } = command.data;
  if (state.status === 'absent') throw new OrderNotFound(orderId);
  if ((state.status === 'confirmed' || state.status === 'shipped') && state.cancellation)
    return [{ type: 'OrderCancellationRefused', data: { orderId, reason, at: command.metadata.now } }];
  if (state.status === 'confirmed' || state.status === 'shipped') return []; // refused already: nothing new
  throw new OrderRuleBroken(`order ${orderId} is ${state.status}; its cancellation cannot be refused`);
};
