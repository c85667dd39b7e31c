// The shop's projections, each run by the read-model service of its name (its schema, and
// in local mode its database): what `ordo replay` rebuilds or replays.
import { inventoryViewProjection } from '@ordo/inventory-view';
import type { Projection } from '@ordo/projections';
import { ordersViewProjection } from '@ordo/orders-view';
import { sagaDashboardProjection } from '@ordo/saga-dashboard';

export const shopProjections: readonly Projection[] = [ordersViewProjection, inventoryViewProjection, sagaDashboardProjection];
