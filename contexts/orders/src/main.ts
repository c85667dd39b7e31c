// Local and compose modes: orders as its own process (PostgreSQL, Kafka). See @ordo/host.
import { ordersEventSchemas } from '@ordo/orders-contract';
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { ordersService } from './service';

runStandalone('orders', ordersService, { registry: ordersEventSchemas }).catch(exitOnStartFailure);
