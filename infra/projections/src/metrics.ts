import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProjectionStatus } from './status';

export const PROJECTION_LAG_EVENTS = 'ordo_projection_lag_events';
export const PROJECTION_LAG_SECONDS = 'ordo_projection_lag_seconds';
export const PROJECTION_EVENTS_APPLIED = 'ordo_projection_events_applied_total';

/** `ordo_projection_events_applied_total{projection}`: one counter a registry, shared by its projections. */
export const eventsAppliedCounter = (registry: Registry): Counter<'projection'> =>
  (registry.getSingleMetric(PROJECTION_EVENTS_APPLIED) as Counter<'projection'> | undefined) ??
  new Counter({
    name: PROJECTION_EVENTS_APPLIED,
    help: 'Events the live runner gave a projection (those it handles), committed or not',
    labelNames: ['projection'] as const,
    registers: [registry],
  });

/**
 * `ordo_projection_lag_events{projection}` and `ordo_projection_lag_seconds{projection}`,
 * computed when Prometheus scrapes (one status read serves both gauges of a scrape). A
 * status that cannot be read (the database away) leaves the gauges out of that scrape
 * and is told to onError, so the service's other metrics are still served.
 */
export const registerProjectionLag = (
  registry: Registry,
  status: () => Promise<ProjectionStatus[]>,
  onError: (error: unknown) => void = () => undefined,
): { events: Gauge; seconds: Gauge } => {
  let scrape: Promise<ProjectionStatus[]> | undefined;
  const current = () => {
    scrape ??= status().finally(() => setTimeout(() => (scrape = undefined), 100).unref());
    return scrape;
  };
  const gauge = (name: string, help: string, value: (status: ProjectionStatus) => number | null) => {
    registry.removeSingleMetric(name); // a service made again on the same registry takes the gauge over
    return new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const projection of await current()) {
            const measured = value(projection);
            if (measured !== null) this.set({ projection: projection.name }, measured);
          }
        } catch (error) {
          onError(error);
        }
      },
    });
  };
  return {
    events: gauge(PROJECTION_LAG_EVENTS, 'Events in a projection’s sources past its checkpoints', (projection) => projection.eventsBehind),
    seconds: gauge(
      PROJECTION_LAG_SECONDS,
      'Seconds since the last event a projection applied was recorded; 0 when caught up',
      (projection) => projection.secondsBehind,
    ),
  };
};
