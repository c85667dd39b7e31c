import { CONTEXT, CUSTOMERS_STREAM_PREFIXES, customersEventSchemas } from '@ordo/customers-contract';
import { defineService } from '@ordo/host';
import { customersHandlers } from './application/handlers';
import { customersErrorMappings, customersRoutes } from './http';

/**
 * Customers as a service (docs/architecture.md, "One shape for every context"): customers
 * register and change their shipping address over HTTP; orders reads a customer over HTTP
 * before placing an order. It takes no commands on the bus and consumes nothing.
 */
export const customersService = defineService({
  name: CONTEXT,
  api: { title: 'Customers', version: '1.0.0', description: 'Customers: registration and shipping address' },
  store: { streamPrefixes: CUSTOMERS_STREAM_PREFIXES, registry: customersEventSchemas },
  takesCommands: false,
  create: ({ store, clock, anonymousCustomers }) => {
    const handlers = customersHandlers({ store });
    return { errorMappings: customersErrorMappings, routes: customersRoutes({ handlers, clock, anonymousCustomers }) };
  },
});
