// Which versions of order placement the service registers, and which one new instances start on.
import type { SagaDefinition } from '@ordo/saga';
import { orderPlacementV1, type OrderPlacementData } from './definition';
import { orderPlacementV2 } from './v2';
import { orderPlacementV3 } from './v3';

/**
 * Every version the service registers, newest first: an instance finishes on the version it
 * started on, and the replay check replays each one's fixtures.
 */
export const orderPlacementVersions: readonly SagaDefinition<OrderPlacementData>[] = [orderPlacementV3, orderPlacementV2, orderPlacementV1];

/**
 * The version new instances start on unless the shop is told otherwise
 * (`ORDO_ORDER_PLACEMENT_VERSION`): version 3, the five-step flow that confirms a free order without a payment.
 */
export const orderPlacement: SagaDefinition<OrderPlacementData> = orderPlacementV3;

/** The registered version numbered `version`, or an error naming the versions there are. */
export const orderPlacementVersion = (version: number): SagaDefinition<OrderPlacementData> => {
  const found = orderPlacementVersions.find((each) => each.version === version);
  if (!found) throw new Error(`order placement has no version ${version}: its versions are ${orderPlacementVersions.map((each) => each.version).join(', ')}`);
  return found;
};

/**
 * `definition` with every step that has a deadline waiting `timeoutMs` instead: for a shop
 * whose tests cannot wait 30 s (`ORDO_ORDER_PLACEMENT_DEADLINE_MS`). Each CommandIssued
 * records its due time, so a sending made under one deadline keeps it across a restart
 * under another; policies and decisions are otherwise the definition's own.
 */
export const withDeadline = <Data>(definition: SagaDefinition<Data>, timeoutMs: number): SagaDefinition<Data> => ({
  ...definition,
  steps: definition.steps.map((step) => (step.timeoutMs === undefined ? step : { ...step, timeoutMs })),
});
