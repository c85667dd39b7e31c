import { z } from 'zod';
import { consumer, defineService } from '@ordo/host';
import { NotFound, setETag } from '@ordo/http';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { ORDERS_EVENTS_TOPIC, OrderId } from '@ordo/orders-contract';
import { PAYMENTS_EVENTS_TOPIC } from '@ordo/payments-contract';
import { describeSaga, parseIncomingEvent, sagaRunner, sagaStreamPrefix, sagaViewSchema } from '@ordo/saga';
import { SHIPPING_EVENTS_TOPIC } from '@ordo/shipping-contract';
import { orderPlacement } from './definition';
import { orderPlacementV1 } from './definition-v1';

/** The saga context: its instances are streams of its store, published on `ordo.sagas.events`. */
export const SAGAS_CONTEXT = 'sagas';

/** Every stream the saga's store holds: its instances. */
export const SAGAS_STREAM_PREFIXES = [sagaStreamPrefix(orderPlacement.name)];

/**
 * The order-placement saga as a service: it consumes the events of orders, inventory,
 * payments and shipping (OrderPlaced starts an instance, the rest may be replies), sends
 * its commands through its own stream, and shows an instance over HTTP.
 */
export const orderPlacementService = defineService({
  name: SAGAS_CONTEXT,
  api: {
    title: 'Order placement saga',
    version: '1.0.0',
    description: 'Places an order across orders, inventory, payments and shipping, compensating on refusal',
  },
  store: { streamPrefixes: SAGAS_STREAM_PREFIXES },
  takesCommands: false,
  issuesCommands: true,
  create: async ({ store, clock, logger }) => {
    // Instances started on version 1 finish on it; new ones start on version 2.
    const runner = sagaRunner({ definition: orderPlacement, earlierVersions: [orderPlacementV1], store, clock });
    // An instance on a version this build no longer has would be stranded: refuse to start instead.
    await runner.checkVersions();
    return {
      routes: (app) => {
        app.get(
          '/v1/sagas/order-placement/:orderId',
          { config: { access: 'viewer' }, schema: { params: z.strictObject({ orderId: OrderId }), response: { 200: sagaViewSchema } } },
          async (request, reply) => {
            const { state, revision } = await runner.read(request.params.orderId);
            if (state.status === 'not-started') throw new NotFound(`no order-placement saga for order ${request.params.orderId}`);
            setETag(reply, { stream: state.sagaId, revision });
            return describeSaga(state);
          },
        );
      },
      consumers: [
        consumer({
          groupId: 'order-placement',
          topics: [ORDERS_EVENTS_TOPIC, INVENTORY_EVENTS_TOPIC, PAYMENTS_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC],
          parse: parseIncomingEvent,
          // Replies come keyed by sku, order, payment or shipment: a reply parked for one order holds back that order's alone.
          sequenceBy: (message) => runner.sequenceOf(message.value),
          handle: async (message) => {
            const handled = await runner.handle(message.value);
            // Most events on these topics are no reply to any instance: those only at debug.
            if (handled.result === 'ignored')
              logger.debug({ eventId: message.value.id, type: message.value.type, why: handled.why }, 'event ignored by order placement');
            else logger.info({ sagaId: handled.sagaId, result: handled.result, eventType: message.value.type }, 'order placement saga moved');
          },
        }),
      ],
    };
  },
});
