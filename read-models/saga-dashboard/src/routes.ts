// The dashboard's reads for viewers: the instances filtered and paged, the counts per state,
// one instance with its steps and its history, and the throughput of the last hour. Each is a
// browser route: the page calls it with its session cookie, a script with a bearer token.
import { z } from 'zod';
import { NotFound, type HttpServer } from '@ordo/http';
import { INSTANCE_STATES, type DashboardQueries } from './queries';
import {
  cursorAfter,
  detailOf,
  HistoryPage,
  historyEntryOf,
  InstanceDetail,
  InstancePage,
  readCursor,
  StateCounts,
  summaryOf,
  Throughput,
  throughputOf,
} from './view';

export const API_PREFIX = '/v1/saga-dashboard';

const InstanceListQuery = z.strictObject({
  state: z.enum(INSTANCE_STATES).optional().describe('stuck: running or compensating with a deadline overdue that nothing handled'),
  saga: z.string().min(1).max(100).optional().describe('the saga type, e.g. order-placement'),
  version: z.coerce.number().int().min(1).optional(),
  changedFrom: z.iso.datetime({ offset: true }).optional().describe('last changed at or after'),
  changedTo: z.iso.datetime({ offset: true }).optional().describe('last changed before'),
  key: z.string().min(1).max(200).optional().describe('the business key (order id) starts with this'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  after: z.string().max(400).optional().describe('the `next` of the page before'),
});
/** A saga instance's id: its stream, `<saga>-<business key>`. */
export const SagaId = z.string().regex(/^[A-Za-z][\w.:-]{0,299}$/, 'a saga instance id: <saga>-<business key>');
const InstanceParams = z.strictObject({ sagaId: SagaId });
const HistoryQuery = z.strictObject({
  after: z.coerce.bigint().min(-1n).default(-1n).describe('the revision the page before ended with'),
  limit: z.coerce.number().int().min(1).max(1_000).default(500),
});
const ThroughputQuery = z.strictObject({
  minutes: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});

export interface DashboardRoutesPorts {
  queries: DashboardQueries;
  clock: () => Date;
}

const viewers = { access: 'viewer', browser: true } as const;
const tags = ['saga dashboard'];

export const dashboardReadRoutes =
  ({ queries, clock }: DashboardRoutesPorts) =>
  (app: HttpServer): void => {
    const notFound = (sagaId: string) => new NotFound(`no saga instance ${sagaId}`);

    app.get(
      `${API_PREFIX}/instances`,
      {
        config: viewers,
        schema: {
          summary: 'Saga instances, the last changed first, filtered and paged by keyset',
          tags,
          querystring: InstanceListQuery,
          response: { 200: InstancePage },
        },
      },
      async (request) => {
        const { limit, after, ...filter } = request.query;
        const now = clock();
        const rows = await queries.list(filter, limit, after === undefined ? undefined : readCursor(after), now);
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return { items: page.map((row) => summaryOf(row, now)), next: rows.length > limit && last ? cursorAfter(last) : null };
      },
    );

    app.get(
      `${API_PREFIX}/counts`,
      { config: viewers, schema: { summary: 'How many instances are in each state now', tags, response: { 200: StateCounts } } },
      async () => queries.counts(clock()),
    );

    app.get(
      `${API_PREFIX}/instances/:sagaId`,
      {
        config: viewers,
        schema: {
          summary: 'One instance: its steps as the engine sees them, with commands, answers and deadlines',
          tags,
          params: InstanceParams,
          response: { 200: InstanceDetail },
        },
      },
      async (request) => {
        const row = await queries.byId(request.params.sagaId);
        if (!row?.state) throw notFound(request.params.sagaId);
        return detailOf(row, clock());
      },
    );

    app.get(
      `${API_PREFIX}/instances/:sagaId/history`,
      {
        config: viewers,
        schema: {
          summary: "An instance's events in order, each with its payload and ids, paged",
          tags,
          params: InstanceParams,
          querystring: HistoryQuery,
          response: { 200: HistoryPage },
        },
      },
      async (request) => {
        const { limit, after } = request.query;
        const rows = await queries.history(request.params.sagaId, after, limit);
        if (rows.length === 0 && after < 0n && !(await queries.byId(request.params.sagaId))) throw notFound(request.params.sagaId);
        const page = rows.slice(0, limit);
        return { items: page.map(historyEntryOf), next: rows.length > limit ? (page.at(-1)?.revision ?? null) : null };
      },
    );

    app.get(
      `${API_PREFIX}/throughput`,
      {
        config: viewers,
        schema: {
          summary: 'Instances started, completed, rolled back and failed per minute, over the last hour by default',
          tags,
          querystring: ThroughputQuery,
          response: { 200: Throughput },
        },
      },
      async (request) => {
        const now = clock();
        const since = new Date(now.getTime() - request.query.minutes * 60_000);
        return throughputOf(await queries.throughput(since), since, now);
      },
    );
  };
