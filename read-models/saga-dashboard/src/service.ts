import { consumer, defineService } from '@ordo/host';
import { browserSessionRoutes } from '@ordo/http';
import { readModelProjections } from '@ordo/projections';
import { dashboardLiveRoutes, liveChanges } from './live';
import { dashboardOperateRoutes } from './operate';
import { dashboardPageRoutes } from './page';
import { sagaDashboardProjection } from './projection';
import { dashboardQueries } from './queries';
import { API_PREFIX, dashboardReadRoutes } from './routes';

export const SAGA_DASHBOARD = sagaDashboardProjection.name;

export interface SagaDashboardOptions {
  /** The service that runs the sagas: the operators' actions are its commands. */
  sagaService: string;
  /** Every service whose consumers may park messages, this one included: the dead-letter view asks each. */
  deadLetterServices: readonly string[];
  /** How often open pages are sent what changed: default 1 s. */
  livePollMs?: number;
}

/**
 * The saga dashboard as a service: its projection folds the saga topic into its tables;
 * its routes answer viewers (lists, counts, an instance, throughput, live updates) and pass
 * operators' actions and redrives on to the services that own them.
 */
export const sagaDashboardService = ({ sagaService, deadLetterServices, livePollMs }: SagaDashboardOptions) =>
  defineService({
    name: SAGA_DASHBOARD,
    api: {
      title: 'Saga dashboard',
      version: '1.0.0',
      description: "Every saga instance, filtered and paged, each one's steps and history, operators' actions, and every consumer's dead letters",
    },
    takesCommands: false,
    calls: [...new Set([sagaService, ...deadLetterServices])],
    create: ({ sql, schema, logger, metrics, eventSources, peers, clock }) => {
      const projections = readModelProjections([sagaDashboardProjection], { sql, schema, logger, metrics, ...(eventSources && { sources: eventSources }) });
      const queries = dashboardQueries(sql, schema);
      const live = liveChanges({ queries, clock, logger, ...(livePollMs !== undefined && { pollMs: livePollMs }) });
      return {
        routes: async (app) => {
          projections.routes(app);
          browserSessionRoutes({ prefix: API_PREFIX, minimumRole: 'viewer' })(app);
          dashboardReadRoutes({ queries, clock })(app);
          dashboardOperateRoutes({ queries, peers, metrics, sagaService, deadLetterServices, clock })(app);
          await dashboardLiveRoutes(live)(app);
          await dashboardPageRoutes(app);
        },
        consumers: projections.consumers.map((options) => consumer(options)),
        workers: projections.workers,
      };
    },
  });
