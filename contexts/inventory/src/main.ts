// Local and compose modes: inventory as its own process (PostgreSQL, Kafka). See @ordo/host.
import { INVENTORY_STREAM_PREFIXES, inventoryEventSchemas } from '@ordo/inventory-contract';
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { inventoryService } from './service';

runStandalone('inventory', inventoryService, { streamPrefixes: INVENTORY_STREAM_PREFIXES, registry: inventoryEventSchemas }).catch(exitOnStartFailure);
