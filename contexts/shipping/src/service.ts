import { defineService } from '@ordo/host';
import { CONTEXT, SHIPPING_STREAM_PREFIXES, shippingEventSchemas } from '@ordo/shipping-contract';
import { shippingHandlers } from './application/handlers';
import { shippingErrorMappings, shippingRoutes } from './http';
import { shippingConsumers } from './messaging';

/**
 * Shipping as a service (docs/architecture.md, "One shape for every context"): the saga
 * schedules and cancels an order's shipment by commands on `ordo.shipping.commands`; the
 * warehouse dispatches it over HTTP, and its ShipmentDispatched reaches inventory and
 * orders through the bus.
 */
export const shippingService = defineService({
  name: CONTEXT,
  api: { title: 'Shipping', version: '1.0.0', description: 'One shipment per order: scheduled, cancelled, dispatched' },
  store: { streamPrefixes: SHIPPING_STREAM_PREFIXES, registry: shippingEventSchemas },
  takesCommands: true,
  create: ({ store, clock, logger }) => {
    const handlers = shippingHandlers({ store });
    return {
      errorMappings: shippingErrorMappings,
      routes: shippingRoutes({ handlers, clock }),
      consumers: shippingConsumers({ handlers, clock, logger }),
    };
  },
});
