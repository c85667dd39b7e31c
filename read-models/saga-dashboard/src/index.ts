export { sagaDashboardProjection, INSTANCES_TABLE, HISTORY_TABLE } from './projection';
export { evolveInstanceRow, type SagaInstanceRow } from './instance-row';
export { sagaDashboardService, SAGA_DASHBOARD, type SagaDashboardOptions } from './service';
export { API_PREFIX as SAGA_DASHBOARD_API } from './routes';
