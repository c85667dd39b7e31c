// Local and compose modes: orders as its own process (PostgreSQL, Kafka). See @ordo/host.
import { ORDERS_STREAM_PREFIXES, ordersEventSchemas } from '@ordo/orders-contract';
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { ordersService } from './service';

runStandalone('orders', ordersService, { streamPrefixes: ORDERS_STREAM_PREFIXES, registry: ordersEventSchemas }).catch(exitOnStartFailure);
