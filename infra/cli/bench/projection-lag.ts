// The read models' lag while the saga benchmark's load runs: GET /v1/projections of each
// view, polled every POLL_MS from the first order of a rate to its last settled. The figure
// is the p99 of those samples per projection: events not yet applied, and seconds since
// the last applied event was recorded (0 when caught up), the same figures as the
// `ordo_projection_lag_*` gauges.
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '@ordo/testing/bench';

// Every second by default: a poll is not free, and in embedded mode it reads each view's
// stores past its checkpoint on the same PGlite connection as the orders (at 250 ms it was
// a visible share of that connection). 0: no polling, for a run without the views' status reads.
const POLL_MS = Number(process.env.BENCH_LAG_POLL_MS ?? 1000);

interface ProjectionSample {
  name: string;
  eventsBehind: number | null;
  secondsBehind: number | null;
}

export interface ProjectionLag {
  projection: string;
  samples: number;
  eventsP99: number;
  secondsP99: number;
  secondsMax: number;
}

/**
 * Starts polling the views' GET /v1/projections (each URL once: embedded mode serves every
 * view's status on its one server) with a viewer's token; stop() ends it and gives each
 * projection's p99s. A poll that fails is left out, not counted as caught up.
 */
export const sampleProjectionLag = (viewUrls: string[], token: string) => {
  const samples = new Map<string, { events: number[]; seconds: number[] }>();
  let polling = true;
  const poll = async (url: string) => {
    const response = await fetch(`${url}/v1/projections`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) return;
    for (const { name, eventsBehind, secondsBehind } of ((await response.json()) as { projections: ProjectionSample[] }).projections) {
      const series = samples.get(name) ?? { events: [], seconds: [] };
      samples.set(name, series);
      if (eventsBehind !== null) series.events.push(eventsBehind);
      if (secondsBehind !== null) series.seconds.push(secondsBehind);
    }
  };
  const running = (async () => {
    while (polling && POLL_MS > 0) {
      await Promise.all([...new Set(viewUrls)].map((url) => poll(url).catch(() => undefined)));
      await sleep(POLL_MS);
    }
  })();
  return {
    stop: async (): Promise<ProjectionLag[]> => {
      polling = false;
      await running;
      return [...samples].map(([projection, { events, seconds }]) => {
        const sortedEvents = [...events].sort((a, b) => a - b);
        const sortedSeconds = [...seconds].sort((a, b) => a - b);
        return {
          projection,
          samples: events.length,
          eventsP99: percentile(sortedEvents, 0.99),
          secondsP99: percentile(sortedSeconds, 0.99),
          secondsMax: sortedSeconds.at(-1) ?? 0,
        };
      });
    },
  };
};
