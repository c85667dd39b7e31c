// Local and compose modes: catalog as its own process (PostgreSQL, Kafka). See @ordo/host.
import { CATALOG_STREAM_PREFIXES, catalogEventSchemas } from '@ordo/catalog-contract';
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { catalogService } from './service';

runStandalone('catalog', catalogService, { streamPrefixes: CATALOG_STREAM_PREFIXES, registry: catalogEventSchemas }).catch(exitOnStartFailure);
