// A made-up saga for the engine's own tests: every shape a step can take, in one table,
// over the endpoints of made-up contracts.
import { z } from 'zod';
import { commandEndpoint } from '@ordo/messaging';
import { byDataField, defineSaga, fanOut, refuseStep, step } from '../src';

export interface Checkout {
  cartId: string;
  items: { item: string; count: number }[];
  amountCents: number;
  /** Why the cart may not ship, if it may not: its ship step refuses to build its command. */
  shippingBlocked?: string;
  /** Paid before checkout: its charge step does not apply (`when`), so nothing is charged or refunded. */
  prepaid?: boolean;
  /** Nobody to tell: its notify step, after the pivot, does not apply. */
  silent?: boolean;
}

// ---- the contracts: commands and their replies ----
const Cart = z.object({ cartId: z.string() });
const Refusal = z.object({ cartId: z.string(), reason: z.string() });
const Item = Cart.extend({ item: z.string() });
const byCart = ({ cartId }: { cartId: string }) => cartId;

const ReopenCart = Cart.extend({ reason: z.string() });
export const ReopenCartEndpoint = commandEndpoint('carts', { ReopenCart }, { aggregateId: byCart, success: { CartReopened: Cart } });

const HoldItem = Item.extend({ count: z.number().int().positive() });
const ItemUnavailable = Refusal.extend({ item: z.string(), left: z.number().int() });
export const HoldItemEndpoint = commandEndpoint(
  'warehouse',
  { HoldItem },
  { aggregateId: ({ item }) => item, success: { ItemHeld: Item }, failure: { ItemUnavailable } },
);
const ReleaseItem = Item;
const ReleaseItemEndpoint = commandEndpoint(
  'warehouse',
  { ReleaseItem },
  { aggregateId: ({ item }) => item, success: { ItemReleased: Item }, failure: { ReleaseRefused: Refusal } },
);

const Charge = Cart.extend({ amountCents: z.number().int() });
const ChargeEndpoint = commandEndpoint('payments', { Charge }, { aggregateId: byCart, success: { Charged: Cart }, failure: { ChargeDeclined: Refusal } });
const RefundEndpoint = commandEndpoint('payments', { Refund: Cart }, { aggregateId: byCart, success: { Refunded: Cart } });

const ShipEndpoint = commandEndpoint('shipping', { Ship: Cart }, { aggregateId: byCart, success: { Shipped: Cart }, failure: { ShipmentRefused: Refusal } });
const NotifyEndpoint = commandEndpoint('mail', { Notify: Cart }, { aggregateId: byCart, success: { Notified: Cart } });

// ---- the saga ----
export const checkout = defineSaga<Checkout>({
  name: 'checkout',
  version: 1,
  trigger: { type: 'CartSubmitted', data: (event) => event.data as Checkout, key: (cart) => cart.cartId },
  association: byDataField('cartId'),
  steps: [
    step('cart', { compensation: { endpoint: ReopenCartEndpoint, data: ({ saga, reason }) => ({ cartId: saga.cartId, reason }) } }),
    fanOut('hold', {
      over: (cart) => cart.items,
      key: (line) => line.item,
      action: { endpoint: HoldItemEndpoint, data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item, count: line.count }) },
      compensation: { endpoint: ReleaseItemEndpoint, data: ({ saga, line }) => ({ cartId: saga.cartId, item: line.item }) },
      // Two sendings of a hold before a timeout gives up; a refused release is sent three times.
      timeoutMs: 10_000,
      retry: { attempts: 2, backoffMs: 500 },
      compensationRetry: { backoffMs: 500 },
    }),
    step('charge', {
      // Nothing to charge: the step refuses to build its command, and the saga compensates.
      action: {
        endpoint: ChargeEndpoint,
        data: ({ saga }) => ({ cartId: saga.cartId, amountCents: saga.amountCents > 0 ? saga.amountCents : refuseStep('nothing to charge') }),
      },
      compensation: { endpoint: RefundEndpoint, data: ({ saga }) => ({ cartId: saga.cartId }) },
      timeoutMs: 30_000,
      when: (cart) => cart.prepaid !== true,
    }),
    step('ship', {
      pivot: true,
      action: { endpoint: ShipEndpoint, data: ({ saga }) => ({ cartId: saga.shippingBlocked === undefined ? saga.cartId : refuseStep(saga.shippingBlocked) }) },
      timeoutMs: 60_000,
      retry: { backoffMs: 1_000, maxBackoffMs: 4_000 },
    }),
    step('notify', {
      action: { endpoint: NotifyEndpoint, data: ({ saga }) => ({ cartId: saga.cartId }) },
      retry: { attempts: 3 },
      when: (cart) => cart.silent !== true,
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
