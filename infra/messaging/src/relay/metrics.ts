import { Counter, Gauge, type Registry } from 'prom-client';
import type { ServiceMetrics } from '@ordo/runtime';

/** What the gauges read from a relay at scrape time. */
export interface RelayGaugeSource {
  publishing: boolean;
  waiting: number;
  lagMs: number;
}

interface RelayMetricsOfRegistry {
  published: Counter<'relay'>;
  sources: Map<string, () => RelayGaugeSource>;
}

// One set of metrics a registry, shared by the relays a service runs, each its own label.
const byRegistry = new WeakMap<Registry, RelayMetricsOfRegistry>();

const gauge = (registry: Registry, name: string, help: string, sources: Map<string, () => RelayGaugeSource>, read: (source: RelayGaugeSource) => number) =>
  new Gauge({
    name,
    help,
    labelNames: ['relay'] as const,
    registers: [registry],
    collect() {
      this.reset(); // a stopped relay's series goes with it
      for (const [relay, source] of sources) this.set({ relay }, read(source()));
    },
  });

const metricsOf = (registry: Registry): RelayMetricsOfRegistry => {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const sources = new Map<string, () => RelayGaugeSource>();
  gauge(registry, 'ordo_relay_waiting_events', 'Events the relay read from its store that Kafka has not acknowledged yet', sources, (s) => s.waiting);
  gauge(registry, 'ordo_relay_lag_milliseconds', 'Age of the oldest event the relay has read and Kafka not acknowledged', sources, (s) => s.lagMs);
  gauge(registry, 'ordo_relay_publishing', '1 for the replica whose relay holds the lock and publishes, 0 for a standby', sources, (s) =>
    s.publishing ? 1 : 0,
  );
  const published = new Counter({
    name: 'ordo_relay_published_events_total',
    help: 'Events the relay published and Kafka acknowledged',
    labelNames: ['relay'] as const,
    registers: [registry],
  });
  const created = { published, sources };
  byRegistry.set(registry, created);
  return created;
};

/** Registers a relay's metrics on the service's registry; `unregister` when it stops. */
export const registerRelayMetrics = (metrics: ServiceMetrics, relay: string, read: () => RelayGaugeSource) => {
  const { published, sources } = metricsOf(metrics.registry);
  sources.set(relay, read);
  published.inc({ relay }, 0); // present from the start, so a rate over it has a first sample
  return {
    published: (events: number) => published.inc({ relay }, events),
    unregister: () => {
      sources.delete(relay);
    },
  };
};
