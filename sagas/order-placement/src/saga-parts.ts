// What the saga service runs for each saga it orchestrates: a runner over the saga's
// registered versions, its deadline scheduler, and its routes (an instance's view, an
// operator's actions) under `/v1/sagas/<path>/:orderId`. The service feeds every runner from
// one consumer (service.ts).
import { z } from 'zod';
import type { ServicePorts } from '@ordo/host';
import { NotFound, printableText, setETag, type HttpServer } from '@ordo/http';
import { OrderId } from '@ordo/orders-contract';
import {
  deadlineScheduler,
  describeSaga,
  sagaRunner,
  sagaViewSchema,
  type OperatorAction,
  type SagaDefinition,
  type SagaRecorder,
  type SagaRunner,
} from '@ordo/saga';

/** An operator says why; resolving says how, as a comment. */
const Why = printableText(1, 1_000);
const OPERATOR_ROUTES: { action: OperatorAction; body: z.ZodType<{ reason: string } | { comment: string }> }[] = [
  { action: 'retry', body: z.strictObject({ reason: Why }) },
  { action: 'compensate', body: z.strictObject({ reason: Why }) },
  { action: 'resolve', body: z.strictObject({ comment: Why }) },
];

export interface SagaPartsOptions<Data> {
  /** The version new instances start on, and the earlier ones whose instances may still run. */
  definition: SagaDefinition<Data>;
  earlierVersions?: readonly SagaDefinition<Data>[];
  /** Where its routes live: `/v1/sagas/<path>/...`. */
  path: string;
  pollMs?: number;
  recorder?: SagaRecorder<Data>;
}

export interface SagaParts<Data> {
  runner: SagaRunner<Data>;
  worker: { name: string; start: ReturnType<typeof deadlineScheduler>['start'] };
  routes: (app: HttpServer) => void;
}

type Ports = Pick<ServicePorts, 'store' | 'sql' | 'schema' | 'clock' | 'logger'>;

export const sagaParts = async <Data>(options: SagaPartsOptions<Data>, { store, sql, schema, clock, logger }: Ports): Promise<SagaParts<Data>> => {
  const { definition, earlierVersions = [], path, pollMs, recorder } = options;
  const runner = sagaRunner({ definition, earlierVersions, store, clock, recorder });
  // An instance on a version this build no longer has would be stranded: refuse to start instead.
  await runner.checkVersions();
  const scheduler = deadlineScheduler({ saga: definition.name, wake: runner.wake, store, sql, schema, clock, logger, ...(pollMs !== undefined && { pollMs }) });
  const params = z.strictObject({ orderId: OrderId });
  return {
    runner,
    worker: { name: `${definition.name} deadline scheduler`, start: scheduler.start },
    routes: (app) => {
      // An operator's action, appended to the instance's stream with who and why.
      for (const { action, body } of OPERATOR_ROUTES)
        app.post(
          `/v1/sagas/${path}/:orderId/${action}`,
          { config: { access: 'operator' }, schema: { params, body, response: { 200: sagaViewSchema } } },
          async (request, reply) => {
            const reason = 'reason' in request.body ? request.body.reason : request.body.comment;
            // An operator route: auth has set the principal before the handler runs.
            const by = request.principal?.subject ?? 'unknown';
            const { state, revision } = await runner.operate(request.params.orderId, { action, by, reason });
            setETag(reply, { stream: state.sagaId, revision });
            return describeSaga(state, { now: clock() });
          },
        );
      app.get(`/v1/sagas/${path}/:orderId`, { config: { access: 'viewer' }, schema: { params, response: { 200: sagaViewSchema } } }, async (request, reply) => {
        const { state, revision } = await runner.read(request.params.orderId);
        if (state.status === 'not-started') throw new NotFound(`no ${path} saga for order ${request.params.orderId}`);
        setETag(reply, { stream: state.sagaId, revision });
        return describeSaga(state, { now: clock() });
      });
    },
  };
};
