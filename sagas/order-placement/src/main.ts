// Local and compose modes: the order-placement saga as its own process (PostgreSQL, Kafka). See @ordo/host.
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { orderPlacementService, SAGAS_STREAM_PREFIXES } from './service';

runStandalone('sagas', orderPlacementService, { streamPrefixes: SAGAS_STREAM_PREFIXES }).catch(exitOnStartFailure);
