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
