// Orders as a service, built from the ports a host gives it (docs/architecture.md, "The three
// ways it runs"): the same code on PGlite and the embedded bus, or PostgreSQL and Kafka.
import type { ServiceFactory } from '@ordo/host';
import { CONTEXT } from '@ordo/orders-contract';
import { ordersApplication } from './application/handlers';
import { ordersErrorMappings, ordersRoutes } from './http';
import { startCommandConsumer, startPriceFeed } from './messaging';
import { sqlPriceTable } from './prices';

export const ordersService: ServiceFactory = ({ store, bus, sql, schema, logger, clock, anonymousCustomers }) => {
  const prices = sqlPriceTable(sql, schema);
  const orders = ordersApplication({ store, prices });
  return {
    name: CONTEXT,
    api: { title: 'Orders', version: '1.0.0' },
    errorMappings: ordersErrorMappings,
    routes: ordersRoutes({ orders, prices, clock, anonymousCustomers }),
    publish: () => bus.publish(CONTEXT, store),
    start: async () => {
      // The table exists before the feed writes it and before an order is priced.
      await prices.migrate();
      await startPriceFeed(bus, prices);
      await startCommandConsumer({ bus, orders, clock, logger });
    },
  };
};
