// An order as the placement flow leaves it, appended straight to orders' store: for specs
// whose subject comes after the placement (a saga's decision, a shipment's dispatch).
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@ordo/eventstore';
import { orderStream, type OrderEvent } from '@ordo/orders-contract';

const at = '2025-03-01T10:00:00.000Z';
const LINES = [{ sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 }];

/** Placed (2 mugs, 2500 cents), then confirmed or rejected, or neither (pending); resolves to its id. */
export const existingOrder = async (store: EventStore, decision?: 'confirmed' | 'rejected'): Promise<string> => {
  const orderId = randomUUID();
  const events: OrderEvent[] = [{ type: 'OrderPlaced', data: { orderId, owner: 'customer-a', lines: LINES, totalCents: 2500, at } }];
  if (decision === 'confirmed') events.push({ type: 'OrderConfirmed', data: { orderId, at } });
  if (decision === 'rejected') events.push({ type: 'OrderRejected', data: { orderId, reason: 'payment declined', at } });
  const metadata = { correlationId: `saga-${orderId}`, causationId: `saga-${orderId}`, schemaVersion: 1 };
  await store.appendToStream(
    orderStream(orderId),
    events.map((event) => ({ id: randomUUID(), ...event, metadata })),
    { expectedRevision: 'no_stream' },
  );
  return orderId;
};
