import { z } from 'zod';
import { consumer, defineService } from '@ordo/host';
import { COMMAND_SEQUENCES_AT_ONCE } from '@ordo/messaging';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { ORDERS_EVENTS_TOPIC } from '@ordo/orders-contract';
import { PAYMENTS_EVENTS_TOPIC } from '@ordo/payments-contract';
import { env, loadConfig } from '@ordo/runtime';
import { SHIPPING_EVENTS_TOPIC } from '@ordo/shipping-contract';
import {
  byDataField,
  parseIncomingEvent,
  SAGAS_CONTEXT,
  SagaInstanceNotFound,
  SagaOperationRefused,
  sagaRoutePath,
  sagaStreamPrefix,
  type IncomingEvent,
  type SagaDefinition,
  type SagaHandled,
  type SagaRecorder,
} from '@ordo/saga';
import { orderCancellation, orderCancellationVersions, type OrderCancellationData } from './cancellation';
import type { OrderPlacementData } from './definition';
import { sagaParts } from './saga-parts';
import { orderPlacement, orderPlacementVersion, orderPlacementVersions, withDeadline } from './versions';

// The saga context (@ordo/saga): its instances are streams of its store, published on `ordo.sagas.events`.
export { SAGAS_CONTEXT };

/** Every stream the saga's store holds: the instances of both sagas. */
export const SAGAS_STREAM_PREFIXES = [sagaStreamPrefix(orderPlacement.name), sagaStreamPrefix(orderCancellation.name)];

/**
 * Every participant's events: OrderPlaced and OrderCancellationStarted start instances, the
 * rest may be replies. Payments' and shipping's answer only version 2 and the cancellation;
 * read always, so that an instance of either version finishes whichever one new instances start on.
 */
const PARTICIPANT_TOPICS = [ORDERS_EVENTS_TOPIC, INVENTORY_EVENTS_TOPIC, PAYMENTS_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC];

/** The order an event concerns: both sagas' instances are named by it. */
const orderOf = byDataField('orderId');

/**
 * What the saga service runs: order placement's version new instances start on, the earlier
 * versions whose instances may still run, and order cancellation's newest version and earlier
 * ones likewise, all with `deadlineMs` (when given) as the deadline of every step that has
 * one: a cancellation waits on the same participants as a placement, so a test shop that
 * cannot wait 30 s for one cannot for the other.
 */
export const sagaDefinitions = (newest: SagaDefinition<OrderPlacementData>, deadlineMs?: number) => {
  const deadlined = <Data>(each: SagaDefinition<Data>) => (deadlineMs === undefined ? each : withDeadline(each, deadlineMs));
  return {
    definition: deadlined(newest),
    earlierVersions: orderPlacementVersions.filter((each) => each.version < newest.version).map(deadlined),
    cancellation: deadlined(orderCancellation),
    cancellationEarlierVersions: orderCancellationVersions.filter((each) => each.version < orderCancellation.version).map(deadlined),
  };
};

export interface OrderPlacementServiceOptions {
  /** The version new instances start on. Default: `orderPlacement`. Tests give one with short deadlines. */
  definition?: SagaDefinition<OrderPlacementData>;
  /** How often the deadline schedulers look for due instances: default 1 s. */
  pollMs?: number;
  /** What every step with a deadline waits for its reply, in every version of both sagas: default each step's own (30 s). */
  deadlineMs?: number;
  /** Given every decision the placement saga appends: how the replay check's fixtures are recorded. Default none. */
  recorder?: SagaRecorder<OrderPlacementData>;
  /** The same for the cancellation saga. */
  cancellationRecorder?: SagaRecorder<OrderCancellationData>;
}

/**
 * The order sagas as a service: placement (OrderPlaced starts an instance) and cancellation
 * (a confirmed order's OrderCancellationStarted does), each consuming the events of orders,
 * inventory, payments and shipping, sending its commands through its own streams, waking
 * instances whose deadlines pass, and showing an instance over HTTP.
 */
export const orderPlacementServiceWith = ({
  definition: given = orderPlacement,
  pollMs,
  deadlineMs,
  recorder,
  cancellationRecorder,
}: OrderPlacementServiceOptions = {}) => {
  const { definition, earlierVersions, cancellation, cancellationEarlierVersions } = sagaDefinitions(given, deadlineMs);
  return defineService({
    name: SAGAS_CONTEXT,
    api: {
      title: 'Order sagas',
      version: '1.0.0',
      description: 'Places an order across orders, inventory, payments and shipping, compensating on refusal, and undoes a cancelled one',
    },
    store: { streamPrefixes: SAGAS_STREAM_PREFIXES },
    takesCommands: false,
    issuesCommands: true,
    create: async (ports) => {
      const placement = await sagaParts({ definition, earlierVersions, path: sagaRoutePath(definition.name), pollMs, recorder }, ports);
      const cancelling = await sagaParts(
        {
          definition: cancellation,
          earlierVersions: cancellationEarlierVersions,
          path: sagaRoutePath(cancellation.name),
          pollMs,
          recorder: cancellationRecorder,
        },
        ports,
      );
      const logged = (event: IncomingEvent, handled: SagaHandled<unknown>) => {
        // Most events on these topics are no reply to any instance: those only at debug.
        if (handled.result === 'ignored') ports.logger.debug({ eventId: event.id, type: event.type, why: handled.why }, 'event ignored by a saga');
        else ports.logger.info({ sagaId: handled.sagaId, result: handled.result, eventType: event.type }, 'saga moved');
      };
      return {
        workers: [placement.worker, cancelling.worker],
        errorMappings: [
          { error: SagaOperationRefused, status: 409 },
          { error: SagaInstanceNotFound, status: 404 },
        ],
        routes: (app) => {
          placement.routes(app);
          cancelling.routes(app);
        },
        consumers: [
          // One consumer for both sagas, each event to each: an order's events are one sequence, so
          // its confirmation (and the capture it sends) is handled before the cancellation it starts,
          // and a reply parked for one order holds back that order's alone.
          consumer({
            groupId: 'order-placement',
            topics: PARTICIPANT_TOPICS,
            concurrentSequences: COMMAND_SEQUENCES_AT_ONCE,
            parse: parseIncomingEvent,
            sequenceBy: (message) => orderOf(message.value) ?? message.value.id,
            handle: async ({ value: event }) => {
              logged(event, await placement.runner.handle(event));
              logged(event, await cancelling.runner.handle(event));
            },
          }),
        ],
      };
    },
  });
};

/** The versions `ORDO_ORDER_PLACEMENT_VERSION` may name. */
const VERSIONS = orderPlacementVersions.map((each) => String(each.version));

/** A timer's longest wait: node runs a longer one at once. */
const LONGEST_TIMER_MS = 2_147_483_647;

/**
 * What configures the shop's order placement: the version new instances start on (default
 * 3), and, for tests that cannot wait 30 s, the deadline of every step that has one, in
 * both sagas: a cancellation waits for the same participants as a placement. For tests too,
 * how often the deadline schedulers look for due instances (default 1 s): a look an hour
 * away stands for a scheduler that is not running, whose overdue instances show `stuck`.
 */
export const orderPlacementConfigShape = {
  ORDO_ORDER_PLACEMENT_DEADLINE_MS: env.int().min(1, 'expected at least 1').optional(),
  ORDO_SAGA_SCHEDULER_POLL_MS: env.int().min(1, 'expected at least 1').max(LONGEST_TIMER_MS, `expected at most ${LONGEST_TIMER_MS}`).optional(),
  ORDO_ORDER_PLACEMENT_VERSION: z
    .string()
    .refine((value) => VERSIONS.includes(value), { message: `expected one of the versions of order placement: ${VERSIONS.join(', ')}` })
    .transform(Number)
    .default(orderPlacement.version),
};

/**
 * The shop's order placement. The environment is read when a host creates the service, so
 * a version that does not exist stops that start, naming the variable and the versions.
 */
export const orderPlacementService = defineService({
  ...orderPlacementServiceWith(),
  create: (ports) => {
    const config = loadConfig(SAGAS_CONTEXT, orderPlacementConfigShape);
    return orderPlacementServiceWith({
      definition: orderPlacementVersion(config.ORDO_ORDER_PLACEMENT_VERSION),
      ...(config.ORDO_ORDER_PLACEMENT_DEADLINE_MS !== undefined && { deadlineMs: config.ORDO_ORDER_PLACEMENT_DEADLINE_MS }),
      ...(config.ORDO_SAGA_SCHEDULER_POLL_MS !== undefined && { pollMs: config.ORDO_SAGA_SCHEDULER_POLL_MS }),
    }).create(ports);
  },
});
