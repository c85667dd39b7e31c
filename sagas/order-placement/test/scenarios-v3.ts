// Every way a version 3 instance goes, as a run on the shop (shop.ts): version 2's scenarios
// (an order with a total goes as on version 2), and free orders, which no payment step concerns.
import { UNSERVED_COUNTRY } from './payments-and-shipping';
import type { Scenario } from './scenarios';
import { scenariosV2 } from './scenarios-v2';
import { SHIP_TO, type Shop } from './shop';

const LINES = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];

/** A free order's instance must not have asked payments anything. */
const paymentsAskedNothing = (shop: Shop, orderId: string) => {
  for (const type of ['AuthorizePayment', 'VoidPayment', 'CapturePayment'])
    if (shop.participants.asked(type).includes(orderId)) throw new Error(`payments was sent ${type} for the free order ${orderId}`);
};

export const scenariosV3: Scenario[] = [
  ...scenariosV2,
  {
    name: 'free-order',
    what: 'an order totalling 0 cents, placed without a card token: both lines reserved, no payment authorized, the shipment scheduled, the order confirmed, nothing captured',
    run: async (shop, orderId) => {
      await shop.place(orderId, LINES, 0, { shipTo: SHIP_TO, unitPriceCents: 0 });
      await shop.untilStatus(orderId, 'completed');
      paymentsAskedNothing(shop, orderId);
    },
  },
  {
    name: 'free-order-shipment-refused',
    what: `a free order shipping refuses to ship to ${UNSERVED_COUNTRY}: both lines released, the order rejected, rolled back; no payment to void`,
    run: async (shop, orderId) => {
      await shop.place(orderId, LINES, 0, { shipTo: { ...SHIP_TO, country: UNSERVED_COUNTRY }, unitPriceCents: 0 });
      await shop.untilStatus(orderId, 'rolled-back');
      paymentsAskedNothing(shop, orderId);
    },
  },
];
