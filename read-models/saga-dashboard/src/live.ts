// Live updates for open pages (server-sent events): one poller per process, running while a
// page listens, sends each page the instances changed since its last look and the counts
// per state. An instance also changes when it becomes stuck, with no event of its own: the
// poller looks for wake-ups that became overdue since its last look too.
//
// A change is found by its row's last change (the event's time, not the projection's), and
// sources may be applied a little out of that order (Kafka partitions, stores): each look
// reads again a window of LOOK_BACK_MS before the latest change it saw, and sends only what
// it had not sent. A page that subscribes before it loads its list misses nothing: the
// poller's starting point is set before the stream says `ready`.
import sse from '@fastify/sse';
import { z } from 'zod';
import type { HttpServer } from '@ordo/http';
import type { Logger } from '@ordo/runtime';
import { iso, type DashboardQueries, type InstanceState } from './queries';
import { API_PREFIX } from './routes';
import { summaryOf, type InstanceSummary } from './view';

export interface LiveUpdate {
  instances: InstanceSummary[];
  counts: Record<InstanceState, number>;
  /** More changed than one look reads: the page loads its list again instead. */
  overflow: boolean;
}

export interface LivePorts {
  queries: DashboardQueries;
  clock: () => Date;
  logger: Logger;
  /** How often the poller looks: default 1 s. */
  pollMs?: number;
}

/** Changes read at most per look. */
const CHANGES_PER_LOOK = 1_000;
/** How far before the latest change seen each look reads again: how far out of order sources may be applied. */
const LOOK_BACK_MS = 30_000;
const HEARTBEAT_MS = 15_000;

export const liveChanges = ({ queries, clock, logger, pollMs = 1_000 }: LivePorts) => {
  const listeners = new Set<(update: LiveUpdate) => void>();
  let latest: string | undefined;
  /** What was sent of the window, by instance: its last change. */
  let sent = new Map<string, string>();
  let lastLook: Date | undefined;
  let lastCounts = '';
  let timer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  const windowBefore = (time: string | undefined) => new Date(Date.parse(time ?? new Date(0).toISOString()) - LOOK_BACK_MS).toISOString();

  /** The starting point: the window as it is now counts as sent, since a page's list holds it. */
  const start = async () => {
    latest = (await queries.latestChange()) ?? new Date(0).toISOString();
    sent = new Map((await queries.changedSince(windowBefore(latest), CHANGES_PER_LOOK)).map((row) => [row.saga_id, iso(row.updated_at ?? 0)]));
    lastLook = clock();
    lastCounts = JSON.stringify(await queries.counts(lastLook));
  };

  const look = async () => {
    const now = clock();
    const windowStart = windowBefore(latest);
    const rows = await queries.changedSince(windowStart, CHANGES_PER_LOOK);
    const overflow = rows.length === CHANGES_PER_LOOK;
    const changed = rows.filter((row) => sent.get(row.saga_id) !== iso(row.updated_at ?? 0));
    for (const row of rows) {
      const updatedAt = iso(row.updated_at ?? 0);
      if (!latest || updatedAt > latest) latest = updatedAt;
    }
    for (const row of changed) sent.set(row.saga_id, iso(row.updated_at ?? 0));
    // Forget what fell out of the window.
    sent = new Map([...sent].filter(([, updatedAt]) => updatedAt >= windowStart));
    const stuck = lastLook ? await queries.becameStuck(lastLook, now) : [];
    lastLook = now;
    const counts = await queries.counts(now);
    const countsText = JSON.stringify(counts);
    if (changed.length === 0 && stuck.length === 0 && countsText === lastCounts && !overflow) return;
    lastCounts = countsText;
    const byId = new Map([...stuck, ...changed].map((row) => [row.saga_id, summaryOf(row, now)]));
    const update = { instances: [...byId.values()], counts, overflow };
    for (const listener of listeners) listener(update);
  };
  const loop = () => {
    timer = setTimeout(() => {
      look()
        .catch((error: unknown) => logger.warn({ err: error }, 'the dashboard could not look for changes; it tries again'))
        .finally(() => {
          if (listeners.size > 0) loop();
          else timer = undefined;
        });
    }, pollMs);
  };

  return {
    /** Calls `listener` with each change after the moment it resolves, until the function it resolves to is called. */
    async subscribe(listener: (update: LiveUpdate) => void): Promise<() => void> {
      if (timer === undefined) {
        // Two pages opening at once start one poller.
        starting ??= start()
          .then(loop)
          .finally(() => (starting = undefined));
        await starting;
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
};

export type LiveChanges = ReturnType<typeof liveChanges>;

export const dashboardLiveRoutes =
  (live: LiveChanges) =>
  async (app: HttpServer): Promise<void> => {
    // Its own context: the SSE plugin decorates only the replies of this route.
    await app.register(async (scope) => {
      await scope.register(sse, { heartbeatInterval: HEARTBEAT_MS });
      // An open stream never ends on its own: closed at shutdown, the server's close need not wait for pages.
      const open = new Set<{ close(): void }>();
      scope.addHook('preClose', async () => {
        for (const stream of open) stream.close();
      });
      scope.get(
        `${API_PREFIX}/live`,
        {
          sse: 'only',
          // No HEAD beside it (405): Node sends a HEAD answer's headers only when it ends, and a stream never ends.
          exposeHeadRoute: false,
          config: { access: 'viewer', browser: true },
          schema: {
            summary: 'Server-sent events: `ready` once listening, then `update` with the instances changed and the counts per state, as they change',
            tags: ['saga dashboard'],
            response: { 200: z.string().describe('a text/event-stream') },
          },
        },
        async (_request, reply) => {
          reply.sse.keepAlive();
          const unsubscribe = await live.subscribe((update) => void reply.sse.send({ event: 'update', data: update }).catch(() => undefined));
          open.add(reply.sse);
          reply.sse.onClose(() => {
            unsubscribe();
            open.delete(reply.sse);
          });
          // Tells the page it is listening: it loads its list only then.
          await reply.sse.send({ event: 'ready', data: {} });
        },
      );
    });
  };
