// What an order-placement instance keeps of its OrderPlaced, for every version: the trigger
// and the saga's data must stay the same across versions (docs/sagas.md, "Versions").
import type { IncomingEvent } from '@ordo/saga';
import { OrderPlaced, type ShipTo } from '@ordo/orders-contract';

/**
 * Version 1 reads the order and its lines; version 2 also its total, how it is paid and
 * where it ships. Instances started on version 1 recorded only `orderId` and `lines`, and
 * an order placed before orders took payment (or before it checked customers) has no
 * `cardToken` (or no `shipTo`): version 2's steps read them where they may be absent.
 */
export interface OrderPlacementData {
  orderId: string;
  lines: { sku: string; quantity: number }[];
  totalCents?: number;
  cardToken?: string;
  shipTo?: ShipTo;
}

export const orderPlaced = (event: IncomingEvent): OrderPlacementData => {
  const { orderId, lines, totalCents, payment, shipTo } = OrderPlaced.parse(event.data);
  return {
    orderId,
    lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
    totalCents,
    ...(payment && { cardToken: payment.cardToken }),
    ...(shipTo && { shipTo }),
  };
};
