// The dashboard's actions for operators. It never writes saga state or dead letters itself:
// an action on an instance is the saga service's operator command, a redrive is the owning
// process's, each called with the operator's own token, so the saga records who acted and
// why, and a state that does not allow the action is refused there (409, passed on).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HttpProblem, NotFound, printableText, serviceClient, type HttpServer, type ServiceAnswer, type ServiceClient } from '@ordo/http';
import type { Peers } from '@ordo/host';
import { sagaRoutePath, sagaViewSchema } from '@ordo/saga';
import type { ServiceMetrics } from '@ordo/runtime';
import type { FastifyRequest } from 'fastify';
import type { DashboardQueries } from './queries';
import { API_PREFIX, SagaId } from './routes';

const ActionParams = z.strictObject({ sagaId: SagaId, action: z.enum(['retry', 'compensate', 'resolve']) });
const ActionBody = z.strictObject({ reason: printableText(1, 1_000).describe('why; for resolve, the comment saying how it was resolved') });
const DeadLetterKey = z.strictObject({ consumer: z.string().regex(/^[\w.-]{1,249}$/), key: z.string().min(1).max(1_000) });

const ParkedKey = z.object({ consumer: z.string(), key: z.string(), count: z.number().int(), firstError: z.string(), parkedAt: z.string() });
const DeadLetters = z.object({
  items: z.array(ParkedKey.extend({ ageSeconds: z.number().int() })),
  unreachable: z
    .array(z.object({ services: z.array(z.string()), error: z.string() }))
    .describe('processes that could not be asked: their parked keys are missing above'),
});
const Redriven = z.object({ consumer: z.string(), key: z.string(), applied: z.number().int(), remaining: z.number().int(), error: z.string().optional() });

export interface DashboardOperatePorts {
  queries: DashboardQueries;
  peers: Peers;
  metrics: ServiceMetrics;
  /** The service that runs the sagas: its operator commands are `/v1/sagas/<saga's route path>/<key>/<action>`. */
  sagaService: string;
  /** Every service whose consumers may park messages; those at one address are asked once. */
  deadLetterServices: readonly string[];
  clock: () => Date;
}

const operators = { access: 'operator', browser: true } as const;
const tags = ['saga dashboard'];

/** The caller's problem, as the service answered it. */
const passOn = (answer: ServiceAnswer): never => {
  const problem = (answer.body ?? {}) as { title?: string; detail?: string };
  throw new HttpProblem(answer.status, problem.title ?? 'Error', problem.detail);
};

export const dashboardOperateRoutes =
  ({ queries, peers, metrics, sagaService, deadLetterServices, clock }: DashboardOperatePorts) =>
  (app: HttpServer): void => {
    const clients = new Map<string, ServiceClient>();
    const clientAt = (url: string, target: string) => {
      let client = clients.get(url);
      if (!client) clients.set(url, (client = serviceClient({ target, baseUrl: () => url, metrics, timeoutMs: 5_000 })));
      return client;
    };
    const sagas = () => clientAt(peers.urlOf(sagaService), sagaService);
    // In embedded mode every service is at one address: asked once. A service with replicas
    // is asked at one of them (each lookup may give the next): its dead letters are in its database.
    const processes = () => {
      const byUrl = new Map<string, string[]>();
      for (const service of deadLetterServices) {
        const url = peers.urlOf(service);
        byUrl.set(url, [...(byUrl.get(url) ?? []), service]);
      }
      return [...byUrl].map(([url, services]) => ({ services, client: clientAt(url, services.join('+')) }));
    };
    // An operator route: auth has identified the caller before the handler runs.
    const asCaller = (request: FastifyRequest) => ({ token: request.credential?.token });

    app.post(
      `${API_PREFIX}/instances/:sagaId/:action`,
      {
        config: { ...operators, errorStatuses: [409, 503] },
        schema: {
          summary: "An operator's action on an instance (retry its current step, force compensation, mark resolved), done by the saga service",
          tags,
          params: ActionParams,
          body: ActionBody,
          response: { 200: sagaViewSchema },
        },
      },
      async (request) => {
        const { sagaId, action } = request.params;
        const row = await queries.byId(sagaId);
        if (!row?.saga || !row.business_key) throw new NotFound(`no saga instance ${sagaId}`);
        const body = action === 'resolve' ? { comment: request.body.reason } : { reason: request.body.reason };
        const path = `/v1/sagas/${sagaRoutePath(row.saga)}/${encodeURIComponent(row.business_key)}/${action}`;
        // Retried on a timeout: one key, so the saga acts once.
        const answer = await sagas().postJson(path, body, { ...asCaller(request), idempotencyKey: randomUUID() });
        return answer.status === 200 ? sagaViewSchema.parse(answer.body) : passOn(answer);
      },
    );

    app.get(
      `${API_PREFIX}/dead-letters`,
      {
        config: operators,
        schema: { summary: 'The parked keys of every consumer of every service, with their first error, count and age', tags, response: { 200: DeadLetters } },
      },
      async (request) => {
        const now = clock().getTime();
        const items: z.infer<typeof DeadLetters>['items'] = [];
        const unreachable: z.infer<typeof DeadLetters>['unreachable'] = [];
        await Promise.all(
          processes().map(async ({ services, client }) => {
            let answer: ServiceAnswer;
            try {
              answer = await client.getJson('/v1/dead-letters', asCaller(request));
            } catch (error) {
              unreachable.push({ services, error: error instanceof Error ? error.message : String(error) });
              return;
            }
            if (answer.status !== 200) passOn(answer);
            for (const parked of z.array(ParkedKey).parse(answer.body))
              items.push({ ...parked, ageSeconds: Math.max(0, Math.round((now - Date.parse(parked.parkedAt)) / 1_000)) });
          }),
        );
        return { items: items.sort((a, b) => a.parkedAt.localeCompare(b.parkedAt)), unreachable };
      },
    );

    app.post(
      `${API_PREFIX}/dead-letters/:consumer/:key/redrive`,
      {
        config: { ...operators, errorStatuses: [503] },
        schema: {
          summary: "Redrives a parked key through its consumer's handler, in the process that runs it",
          tags,
          params: DeadLetterKey,
          response: { 200: Redriven },
        },
      },
      async (request) => {
        const { consumer, key } = request.params;
        const path = `/v1/dead-letters/${encodeURIComponent(consumer)}`;
        for (const { client } of processes()) {
          // A process that does not run the consumer answers 404.
          const found = await client.getJson(path, asCaller(request));
          if (found.status === 404) continue;
          if (found.status !== 200) return passOn(found);
          const answer = await client.postJson(`${path}/${encodeURIComponent(key)}/redrive`, {}, { ...asCaller(request), idempotencyKey: randomUUID() });
          return answer.status === 200 ? Redriven.parse(answer.body) : passOn(answer);
        }
        throw new NotFound(`no process runs a consumer ${consumer}`);
      },
    );
  };
