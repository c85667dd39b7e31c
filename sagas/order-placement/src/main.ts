// Local and compose modes: the order-placement saga as its own process (PostgreSQL, Kafka). See @ordo/host.
import { exitOnStartFailure } from '@ordo/http';
import { runStandalone } from '@ordo/host';
import { orderPlacementService } from './service';

runStandalone('sagas', orderPlacementService).catch(exitOnStartFailure);
