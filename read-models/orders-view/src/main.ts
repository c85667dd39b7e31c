// orders-view as a process of its own, on PostgreSQL and Kafka: the production entry
// (`npm start` in this package after `npm run build`; its Dockerfile). See runStandalone.
import { runStandalone } from '@ordo/host';
import { exitOnStartFailure } from '@ordo/http';
import { ordersViewService } from './service';

runStandalone(ordersViewService).catch(exitOnStartFailure);
