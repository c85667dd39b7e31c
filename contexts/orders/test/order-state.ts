// An order as its stream says, for specs: orders serves no reads (the orders view does),
// so a spec folds the order's events with the decider's own evolve.
import type { EventStore } from '@ordo/eventstore';
import { orderStream, type OrderEvent } from '@ordo/orders-contract';
import { evolve, initialState, type Order } from '../src/domain/order';

export const orderState = async (store: EventStore, orderId: string): Promise<{ state: Order; revision: bigint }> => {
  let state = initialState();
  let revision = -1n;
  for await (const event of store.readStream(orderStream(orderId))) {
    state = evolve(state, { type: event.type, data: event.data } as OrderEvent);
    revision = event.revision;
  }
  return { state, revision };
};
