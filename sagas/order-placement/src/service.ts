import { z } from 'zod';
import { consumer, defineService } from '@ordo/host';
import { NotFound, printableText, setETag } from '@ordo/http';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { ORDERS_EVENTS_TOPIC, OrderId } from '@ordo/orders-contract';
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
import { orderPlacement, orderPlacementVersions } from './versions';

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
  /** Default: `orderPlacement`. Tests give one with short deadlines. */
  definition?: SagaDefinition<OrderPlacementData>;
  /** How often the deadline scheduler looks for due instances: default 1 s. */
  pollMs?: number;
  /** Given every decision the saga appends: how the replay check's fixtures are recorded. Default none. */
  recorder?: SagaRecorder<OrderPlacementData>;
}

/**
 * The order-placement saga as a service: it consumes orders' and inventory's events
 * (OrderPlaced starts an instance, the rest may be replies), sends its commands through
 * its own stream, wakes instances whose deadlines pass, and shows an instance over HTTP.
 */
export const orderPlacementServiceWith = ({ definition = orderPlacement, pollMs, recorder }: OrderPlacementServiceOptions = {}) =>
  defineService({
    name: SAGAS_CONTEXT,
    api: { title: 'Order placement saga', version: '1.0.0', description: 'Places an order across orders and inventory, compensating on refusal' },
    store: { streamPrefixes: SAGAS_STREAM_PREFIXES },
    takesCommands: false,
    issuesCommands: true,
    create: async ({ store, sql, schema, clock, logger }) => {
      const earlierVersions = orderPlacementVersions.filter((each) => each.version < definition.version);
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
            topics: [ORDERS_EVENTS_TOPIC, INVENTORY_EVENTS_TOPIC],
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

export const orderPlacementService = orderPlacementServiceWith();
