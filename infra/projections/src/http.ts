import { z } from 'zod';
import { ServiceUnavailable, type HttpServer } from '@ordo/http';
import type { ProjectionStatus } from './status';

const ProjectionStatusView = z.object({
  name: z.string(),
  version: z.number().int(),
  state: z.enum(['live', 'rebuilding']).describe('rebuilding: created afresh for its version, not caught up yet'),
  eventsBehind: z.number().int().describe('events in its sources past its checkpoints'),
  secondsBehind: z.number().nullable().describe('0 when caught up; else since the last event applied was recorded; null when none was'),
});

/** `GET /v1/projections`: the service's projections, their versions, states and lag. */
export const projectionRoutes = (app: HttpServer, status: () => Promise<ProjectionStatus[]>): void => {
  app.get(
    '/v1/projections',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'The projections of this read model: version, state, and how far behind their sources they are',
        tags: ['projections'],
        response: { 200: z.object({ projections: z.array(ProjectionStatusView) }) },
      },
    },
    async () => ({ projections: await status() }),
  );
};

/** For a read model's queries: answers 503 while the projection rebuilds, never stale rows. */
export const requireLive = (status: ProjectionStatus): void => {
  if (status.state !== 'live') throw new ServiceUnavailable(`the ${status.name} projection is rebuilding (${status.eventsBehind} events to go)`);
};

/**
 * What a read model's queries await: throws 503 while the named projection rebuilds. The
 * status is read at most once every `cacheMs` (it asks the broker or the stores for the
 * lag), and reading it is also what marks a caught-up projection live, so a read model
 * gated this way never waits on a scrape to come back.
 */
export const projectionGate = (status: () => Promise<ProjectionStatus[]>, { cacheMs = 1000 } = {}) => {
  let cached: { at: number; statuses: Promise<ProjectionStatus[]> } | undefined;
  return async (name: string): Promise<void> => {
    const now = Date.now();
    if (!cached || now - cached.at >= cacheMs) cached = { at: now, statuses: status() };
    const statuses = cached.statuses;
    statuses.catch(() => (cached = undefined));
    const found = (await statuses).find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no projection named '${name}' in this read model`);
    requireLive(found);
  };
};
