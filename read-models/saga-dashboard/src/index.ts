export { sagaDashboardProjection, INSTANCES_TABLE, HISTORY_TABLE } from './projection';
export { evolveInstanceRow, type SagaInstanceRow } from './instance-row';
