// Orders as the shop records them, on Kafka: five events each (placed, confirmed;
// authorized, captured; shipment scheduled), each on its context's topic, keyed by its
// stream, in the relay's message format. The replay bench and the projector's crash spec
// publish them to topics of their own run.
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import type { RecordedEvent } from '@ordo/eventstore';
import { eventMessageValue, headersOf } from '@ordo/messaging';

export const EVENTS_PER_ORDER = 5;
export const ORDER_CONTEXTS = ['orders', 'payments', 'shipping'] as const;
export type OrderContext = (typeof ORDER_CONTEXTS)[number];

// A send's batch per partition stays under the broker's 1 MB message.max.bytes.
const ORDERS_PER_SEND = 500;
const SHIP_TO = { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' };

/** The five events of order number `n`, placed at `at`, each routed to `topicOf(its context)`. */
export const lifeOfAnOrder = (n: number, at: Date, topicOf: (context: OrderContext) => string): { topic: string; message: Message }[] => {
  const orderId = randomUUID();
  const iso = at.toISOString();
  const lines = [
    { sku: `SKU-${n % 500}`, quantity: 1 + (n % 3), unitPriceCents: 1250 },
    { sku: `SKU-${(n * 7) % 500}`, quantity: 1, unitPriceCents: 990 },
  ];
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  const recorded = (context: OrderContext, stream: string, revision: number, type: string, data: unknown) => {
    const event: RecordedEvent = {
      id: randomUUID(),
      type,
      stream,
      revision: BigInt(revision),
      position: BigInt(n * EVENTS_PER_ORDER + revision),
      data,
      metadata: { correlationId: orderId, causationId: orderId, schemaVersion: 1 },
      recordedAt: at,
    };
    return { topic: topicOf(context), message: { key: stream, value: eventMessageValue(event), headers: headersOf(event) } };
  };
  return [
    recorded('orders', `order-${orderId}`, 0, 'OrderPlaced', {
      orderId,
      owner: `customer-${n % 1000}`,
      customerId: randomUUID(),
      shipTo: SHIP_TO,
      lines,
      totalCents,
      at: iso,
    }),
    recorded('orders', `order-${orderId}`, 1, 'OrderConfirmed', { orderId, at: iso }),
    recorded('payments', `payment-${orderId}`, 0, 'PaymentAuthorized', {
      orderId,
      authorizationId: `auth-${n}`,
      amountCents: totalCents,
      currency: 'EUR',
      at: iso,
    }),
    recorded('payments', `payment-${orderId}`, 1, 'PaymentCaptured', {
      orderId,
      authorizationId: `auth-${n}`,
      captureId: `cap-${n}`,
      amountCents: totalCents,
      at: iso,
    }),
    recorded('shipping', `shipment-${orderId}`, 0, 'ShipmentScheduled', {
      orderId,
      shipmentId: `ship-${n}`,
      address: SHIP_TO,
      lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
      at: iso,
    }),
  ];
};

/**
 * Publishes the lives of `orders` orders, placed 10 ms apart ending now, in sends of 500
 * orders acknowledged by the broker. Resolves to the number of events sent.
 */
export const publishOrderLives = async (kafka: Kafka, orders: number, topicOf: (context: OrderContext) => string): Promise<number> => {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const base = Date.now() - orders * 10;
  const topics = ORDER_CONTEXTS.map(topicOf);
  try {
    for (let first = 0; first < orders; first += ORDERS_PER_SEND) {
      const routed = Array.from({ length: Math.min(ORDERS_PER_SEND, orders - first) }, (_, i) =>
        lifeOfAnOrder(first + i, new Date(base + (first + i) * 10), topicOf),
      ).flat();
      const topicMessages = topics.map((topic) => ({ topic, messages: routed.filter((route) => route.topic === topic).map((route) => route.message) }));
      await producer.sendBatch({ acks: -1, topicMessages });
    }
  } finally {
    await producer.disconnect();
  }
  return orders * EVENTS_PER_ORDER;
};
