import { z } from 'zod';
import { consumer, defineService } from '@ordo/host';
import { NotFound, printableText, setETag } from '@ordo/http';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { ORDERS_EVENTS_TOPIC, OrderId } from '@ordo/orders-contract';
import { PAYMENTS_EVENTS_TOPIC } from '@ordo/payments-contract';
import { env, loadConfig } from '@ordo/runtime';
import { SHIPPING_EVENTS_TOPIC } from '@ordo/shipping-contract';
import {
  describeSaga,
  parseIncomingEvent,
  SagaInstanceNotFound,
  SagaOperationRefused,
  sagaRunner,
  sagaStreamPrefix,
  sagaViewSchema,
  deadlineScheduler,
  type OperatorAction,
  type SagaDefinition,
  type SagaRecorder,
} from '@ordo/saga';
import type { OrderPlacementData } from './definition';
import { orderPlacement, orderPlacementVersion, orderPlacementVersions, withDeadline } from './versions';

/** The saga context: its instances are streams of its store, published on `ordo.sagas.events`. */
export const SAGAS_CONTEXT = 'sagas';

/** An operator says why; resolving says how, as a comment. */
const Why = printableText(1, 1_000);
const OPERATOR_ROUTES: { action: OperatorAction; body: z.ZodType<{ reason: string } | { comment: string }> }[] = [
  { action: 'retry', body: z.strictObject({ reason: Why }) },
  { action: 'compensate', body: z.strictObject({ reason: Why }) },
  { action: 'resolve', body: z.strictObject({ comment: Why }) },
];

/** Every stream the saga's store holds: its instances. */
export const SAGAS_STREAM_PREFIXES = [sagaStreamPrefix(orderPlacement.name)];

export interface OrderPlacementServiceOptions {
  /** The version new instances start on. Default: `orderPlacement`. Tests give one with short deadlines. */
  definition?: SagaDefinition<OrderPlacementData>;
  /** How often the deadline scheduler looks for due instances: default 1 s. */
  pollMs?: number;
  /** What every step with a deadline waits for its reply, in every version: default each step's own (30 s). */
  deadlineMs?: number;
  /** Given every decision the saga appends: how the replay check's fixtures are recorded. Default none. */
  recorder?: SagaRecorder<OrderPlacementData>;
}

/**
 * The order-placement saga as a service: it consumes the events of orders, inventory,
 * payments and shipping (OrderPlaced starts an instance, the rest may be replies), sends its commands through
 * its own stream, wakes instances whose deadlines pass, and shows an instance over HTTP.
 */
export const orderPlacementServiceWith = ({ definition: given = orderPlacement, pollMs, deadlineMs, recorder }: OrderPlacementServiceOptions = {}) => {
  const deadlined = <Data>(each: SagaDefinition<Data>) => (deadlineMs === undefined ? each : withDeadline(each, deadlineMs));
  const definition = deadlined(given);
  return defineService({
    name: SAGAS_CONTEXT,
    api: {
      title: 'Order placement saga',
      version: '1.0.0',
      description: 'Places an order across orders, inventory, payments and shipping, compensating on refusal',
    },
    store: { streamPrefixes: SAGAS_STREAM_PREFIXES },
    takesCommands: false,
    issuesCommands: true,
    create: async ({ store, sql, schema, clock, logger }) => {
      const earlierVersions = orderPlacementVersions.filter((each) => each.version < definition.version).map(deadlined);
      const runner = sagaRunner({ definition, earlierVersions, store, clock, recorder });
      // An instance on a version this build no longer has would be stranded: refuse to start instead.
      await runner.checkVersions();
      const scheduler = deadlineScheduler({
        saga: definition.name,
        wake: runner.wake,
        store,
        sql,
        schema,
        clock,
        logger,
        ...(pollMs !== undefined && { pollMs }),
      });
      return {
        workers: [{ name: 'deadline scheduler', start: scheduler.start }],
        errorMappings: [
          { error: SagaOperationRefused, status: 409 },
          { error: SagaInstanceNotFound, status: 404 },
        ],
        routes: (app) => {
          // An operator's action, appended to the instance's stream with who and why.
          for (const { action, body } of OPERATOR_ROUTES)
            app.post(
              `/v1/sagas/order-placement/:orderId/${action}`,
              { config: { access: 'operator' }, schema: { params: z.strictObject({ orderId: OrderId }), body, response: { 200: sagaViewSchema } } },
              async (request, reply) => {
                const reason = 'reason' in request.body ? request.body.reason : request.body.comment;
                // An operator route: auth has set the principal before the handler runs.
                const by = request.principal?.subject ?? 'unknown';
                const { state, revision } = await runner.operate(request.params.orderId, { action, by, reason });
                setETag(reply, { stream: state.sagaId, revision });
                return describeSaga(state, { now: clock() });
              },
            );
          app.get(
            '/v1/sagas/order-placement/:orderId',
            { config: { access: 'viewer' }, schema: { params: z.strictObject({ orderId: OrderId }), response: { 200: sagaViewSchema } } },
            async (request, reply) => {
              const { state, revision } = await runner.read(request.params.orderId);
              if (state.status === 'not-started') throw new NotFound(`no order-placement saga for order ${request.params.orderId}`);
              setETag(reply, { stream: state.sagaId, revision });
              return describeSaga(state, { now: clock() });
            },
          );
        },
        consumers: [
          consumer({
            groupId: 'order-placement',
            // Payments' and shipping's events answer version 2 only; read always, so that an instance
            // of either version finishes whichever version new instances start on.
            topics: [ORDERS_EVENTS_TOPIC, INVENTORY_EVENTS_TOPIC, PAYMENTS_EVENTS_TOPIC, SHIPPING_EVENTS_TOPIC],
            parse: parseIncomingEvent,
            // Replies come keyed by sku or order: a reply parked for one order holds back that order's alone.
            sequenceBy: (message) => runner.sequenceOf(message.value),
            handle: async (message) => {
              const handled = await runner.handle(message.value);
              // Most events on these topics are no reply to any instance: those only at debug.
              if (handled.result === 'ignored')
                logger.debug({ eventId: message.value.id, type: message.value.type, why: handled.why }, 'event ignored by order placement');
              else logger.info({ sagaId: handled.sagaId, result: handled.result, eventType: message.value.type }, 'order placement saga moved');
            },
          }),
        ],
      };
    },
  });
};

/** The versions `ORDO_ORDER_PLACEMENT_VERSION` may name. */
const VERSIONS = orderPlacementVersions.map((each) => String(each.version));

/**
 * What configures the shop's order placement: the version new instances start on (default
 * 1), and, for tests that cannot wait 30 s, the deadline of every step that has one.
 */
export const orderPlacementConfigShape = {
  ORDO_ORDER_PLACEMENT_DEADLINE_MS: env.int().min(1, 'expected at least 1').optional(),
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
    }).create(ports);
  },
});
