// A made-up saga for the engine's own tests: every shape a step can take, in one table.
import { byDataField, defineSaga, fanOut, step, type IncomingEvent } from '../src';

export interface Checkout {
  cartId: string;
  items: { item: string; count: number }[];
  amountCents: number;
}

const reasonOf = (reply: IncomingEvent) => String((reply.data as { reason?: unknown }).reason);

export const checkout = defineSaga<Checkout>({
  name: 'checkout',
  version: 1,
  trigger: { type: 'CartSubmitted', data: (event) => event.data as Checkout, key: (cart) => cart.cartId },
  association: byDataField('cartId'),
  steps: [
    step('cart', {
      compensation: {
        target: 'carts',
        command: 'ReopenCart',
        aggregateId: ({ saga }) => saga.cartId,
        data: ({ saga, reason }) => ({ cartId: saga.cartId, reason }),
        success: ['CartReopened'],
      },
    }),
    fanOut('hold', {
      over: (cart) => cart.items,
      key: (line) => line.item,
      action: {
        target: 'warehouse',
        command: 'HoldItem',
        aggregateId: ({ line }) => line.item,
        data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item, count: line.count }),
        success: ['ItemHeld'],
        failure: { ItemUnavailable: reasonOf },
      },
      compensation: {
        target: 'warehouse',
        command: 'ReleaseItem',
        aggregateId: ({ line }) => line.item,
        data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item }),
        success: ['ItemReleased'],
        failure: { ReleaseRefused: reasonOf },
      },
    }),
    step('charge', {
      action: {
        target: 'payments',
        command: 'Charge',
        aggregateId: ({ saga }) => saga.cartId,
        data: ({ saga }) => ({ cartId: saga.cartId, amountCents: saga.amountCents }),
        success: ['Charged'],
        failure: { ChargeDeclined: reasonOf },
      },
      compensation: {
        target: 'payments',
        command: 'Refund',
        aggregateId: ({ saga }) => saga.cartId,
        data: ({ saga }) => ({ cartId: saga.cartId }),
        success: ['Refunded'],
      },
      timeoutMs: 30_000,
    }),
    step('ship', {
      pivot: true,
      action: {
        target: 'shipping',
        command: 'Ship',
        aggregateId: ({ saga }) => saga.cartId,
        data: ({ saga }) => ({ cartId: saga.cartId }),
        success: ['Shipped'],
        failure: { ShipmentRefused: reasonOf },
      },
    }),
    step('notify', {
      action: {
        target: 'mail',
        command: 'Notify',
        aggregateId: ({ saga }) => saga.cartId,
        data: ({ saga }) => ({ cartId: saga.cartId }),
        success: ['Notified'],
      },
      retry: { attempts: 3 },
    }),
  ],
});

export const cart: Checkout = {
  cartId: 'cart-1',
  items: [
    { item: 'pen', count: 2 },
    { item: 'ink', count: 1 },
  ],
  amountCents: 1250,
};
