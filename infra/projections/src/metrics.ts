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

/** Where the lag gauges of a registry read from: each read model's status, by its projections' names. */
interface LagReader {
  status: () => Promise<ProjectionStatus[]>;
  onError: (error: unknown) => void;
}
const readersOf = new WeakMap<Registry, Map<string, LagReader>>();

/**
 * `ordo_projection_lag_events{projection}` and `ordo_projection_lag_seconds{projection}`,
 * computed when Prometheus scrapes (one status read a reader serves both gauges of a
 * scrape). Embedded mode's read models share one registry: each registers its reader
 * under its own key, and a service made again on the same registry replaces its own. A
 * status that cannot be read (the database away) leaves its projections out of that
 * scrape and is told to onError, so the other read models' lag and the service's other
 * metrics are still served.
 */
export const registerProjectionLag = (
  registry: Registry,
  status: () => Promise<ProjectionStatus[]>,
  { key = 'projections', onError = () => undefined }: { key?: string; onError?: (error: unknown) => void } = {},
): void => {
  const registered = readersOf.get(registry);
  if (registered) {
    registered.set(key, { status, onError });
    return;
  }
  const readers = new Map([[key, { status, onError }]]);
  readersOf.set(registry, readers);
  let scrape: Promise<ProjectionStatus[]> | undefined;
  const current = () => {
    scrape ??= Promise.all(
      [...readers.values()].map((reader) =>
        reader.status().catch((error: unknown) => {
          reader.onError(error);
          return [];
        }),
      ),
    )
      .then((statuses) => statuses.flat())
      .finally(() => setTimeout(() => (scrape = undefined), 100).unref());
    return scrape;
  };
  const gauge = (name: string, help: string, value: (status: ProjectionStatus) => number | null) => {
    registry.removeSingleMetric(name); // a gauge of that name registered outside this function
    return new Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const projection of await current()) {
          const measured = value(projection);
          if (measured !== null) this.set({ projection: projection.name }, measured);
        }
      },
    });
  };
  gauge(PROJECTION_LAG_EVENTS, 'Events in a projection’s sources past its checkpoints', (projection) => projection.eventsBehind);
  gauge(PROJECTION_LAG_SECONDS, 'Seconds since the last event a projection applied was recorded; 0 when caught up', (projection) => projection.secondsBehind);
};
