import { defineService } from '@ordo/host';
import { serviceClient, settleDelays } from '@ordo/http';
import { CONTEXT, ORDERS_STREAM_PREFIXES, ordersEventSchemas } from '@ordo/orders-contract';
import { ordersHandlers } from './application/handlers';
import { httpCustomerDirectory } from './customers';
import { ordersErrorMappings, ordersRoutes } from './http';
import { ordersConsumers } from './messaging';
import { sqlPriceTable } from './prices';

/**
 * Orders as a service (docs/architecture.md, "One shape for every context"): orders are
 * placed over HTTP, for a customer it checks with customers over HTTP, priced from orders'
 * own copy of catalog's prices, and confirmed or rejected by the saga's commands on its topic.
 */
export const ordersService = defineService({
  name: CONTEXT,
  api: { title: 'Orders', version: '1.0.0', description: 'Orders placed, priced, confirmed and rejected' },
  store: { streamPrefixes: ORDERS_STREAM_PREFIXES, registry: ordersEventSchemas },
  takesCommands: true,
  calls: ['customers'],
  create: ({ store, sql, schema, logger, clock, anonymousCustomers, metrics, peers }) => {
    const prices = sqlPriceTable(sql, schema);
    const customers = serviceClient({ target: 'customers', baseUrl: () => peers.urlOf('customers'), token: peers.token, metrics });
    const handlers = ordersHandlers({ store, prices, customers: httpCustomerDirectory(customers) });
    // From an order placed to the saga's verdict on it: while orders take too long to
    // settle, the order path is backed up, and new orders are refused (docs/service-chassis.md).
    const settles = settleDelays();
    return {
      errorMappings: ordersErrorMappings,
      routes: ordersRoutes({ handlers, prices, clock, anonymousCustomers }),
      // The table exists before the feed writes it and before an order is priced.
      migrate: () => prices.migrate(),
      consumers: ordersConsumers({ handlers, prices, clock, logger, settles }),
      settleDelayMs: settles.medianMs,
    };
  },
});
