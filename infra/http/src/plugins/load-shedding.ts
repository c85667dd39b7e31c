import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../problem';

export interface LoadSheddingOptions {
  /** New requests are refused while the event loop lags more than this, in ms, on average over each of the last two seconds. */
  maxEventLoopDelayMs: number;
  /** New requests are refused while this many are being answered. */
  maxInFlight: number;
  /**
   * New requests are refused while more than this many statements wait for the database's
   * one connection (`databaseWaiting`), on average over the last half second: embedded
   * mode's PGlite, whose one thread is its limit. Without a probe, not a sign.
   */
  maxDatabaseWaiting: number;
  /** How many statements wait for the database now; undefined where it cannot tell. */
  databaseWaiting?: () => number;
  /**
   * Routes that start work (`config: { startsWork: true }`) refuse a share of their requests
   * while the work the service accepted takes longer than this to settle, in ms
   * (`settleDelayMs`): none at the bound, all at twice it.
   */
  maxSettleDelayMs: number;
  /** The median delay of the work settled within the last second (settle-delays.ts); undefined while too little settled. */
  settleDelayMs?: () => number | undefined;
  /**
   * Whether a request is another service's call, made for work that service has already
   * accepted (a valid service token): always answered, or accepted work would fail half-way.
   */
  fromService?: (request: FastifyRequest) => boolean;
  /** What a refused client is told to wait before trying again, in seconds. */
  retryAfterSeconds: number;
}

export const DEFAULT_LOAD_SHEDDING: LoadSheddingOptions = {
  maxEventLoopDelayMs: 500,
  maxInFlight: 512,
  maxDatabaseWaiting: 12,
  maxSettleDelayMs: 250,
  retryAfterSeconds: 1,
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route accepts work that settles later, on other services (an order placed, which
     * the saga confirms or rejects): it is refused while such work settles slowly, the
     * backlog behind it being the service's capacity. Routes that read are answered still.
     */
    startsWork?: boolean;
  }
}

export class Overloaded extends HttpProblem {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, 'Service Unavailable', detail);
  }
}

// Operators must still see a service that is past its capacity, and a liveness probe that
// failed under load would only restart it into the same load.
const alwaysAnswered = (request: FastifyRequest) => {
  const url = request.routeOptions.url ?? '';
  return url.startsWith('/health/') || url === '/metrics';
};

// The event loop's lag, sampled every 100 ms (a finer timer costs an idle service CPU of
// its own: see the metrics' EVENT_LOOP_SAMPLE_MS) and averaged over each second.
const LAG_RESOLUTION_MS = 100;
const LAG_WINDOW_MS = 1_000;

/**
 * Past its capacity a service refuses new work at once, 503 problem+json with Retry-After,
 * instead of queuing it without bound: the requests it accepted keep their latency, and
 * the refused ones can be tried again. Four signs of overload: the event loop lagging (Node's
 * monitorEventLoopDelay, not @fastify/under-pressure, whose 10 ms timer cannot be changed),
 * too many requests in flight, the queue that builds when the work waits on the database
 * rather than the CPU, and, where the database says, too many statements waiting for its
 * one connection: embedded mode's queue at its PGlite thread, which grows with the order
 * path's whole backlog (consumers, relays, the saga), not with this server's requests alone.
 * That queue counts by its mean over the last half second (sampled every 100 ms): read at
 * one moment it refused bursts the thread clears at once, and averaged over each of two
 * seconds, as the lag is, it let a backlog build before refusing, and accepted orders
 * waited seconds behind it (docs/decisions.md). And, for a route that starts work, that work
 * settling slowly (settle-delays.ts): the order path's backlog where it runs in other
 * processes, whose queues no sign of this process shows.
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, options: LoadSheddingOptions) => {
    const { maxEventLoopDelayMs, maxInFlight, maxDatabaseWaiting, databaseWaiting, maxSettleDelayMs, settleDelayMs, fromService, retryAfterSeconds } = options;
    const delays = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    delays.enable();
    // The mean lag of the last two seconds: overloaded only when both passed the bound, so one
    // long pause (a start-up, a collection) never refuses work, and lasting overload does.
    let [earlierLagMs, lastLagMs] = [0, 0];
    let windowStarted = performance.now();
    const sampler = setInterval(() => {
      // Each sample includes the resolution itself; a second with no sample was blocked throughout.
      const blockedMs = performance.now() - windowStarted;
      earlierLagMs = lastLagMs;
      lastLagMs = delays.count === 0 ? blockedMs : Math.max(0, delays.mean / 1e6 - LAG_RESOLUTION_MS);
      windowStarted = performance.now();
      delays.reset();
    }, LAG_WINDOW_MS).unref();
    app.addHook('onClose', async () => {
      clearInterval(sampler);
      delays.disable();
    });
    const lagMs = () => Math.min(earlierLagMs, lastLagMs);
    const queue = databaseWaiting ? recentMean(databaseWaiting) : undefined;
    if (queue) app.addHook('onClose', async () => queue.stop());
    let inFlight = 0;
    app.addHook('onRequest', async (request, reply) => {
      if (alwaysAnswered(request) || fromService?.(request)) return;
      if (lagMs() > maxEventLoopDelayMs) {
        throw new Overloaded(`the service is past its capacity (its event loop lags ${Math.round(lagMs())} ms); try again shortly`, retryAfterSeconds);
      }
      const waiting = queue?.mean() ?? 0;
      if (waiting > maxDatabaseWaiting) {
        throw new Overloaded(
          `the service is past its capacity (${Math.round(waiting)} statements wait for its database); try again shortly`,
          retryAfterSeconds,
        );
      }
      const settling = request.routeOptions.config.startsWork ? settleDelayMs?.() : undefined;
      if (settling !== undefined && refusedAt(settling, maxSettleDelayMs)) {
        throw new Overloaded(
          `the service is past its capacity (the work it accepted took a median ${Math.round(settling)} ms to settle over the last second); try again shortly`,
          retryAfterSeconds,
        );
      }
      if (inFlight >= maxInFlight) throw new Overloaded(`the service is answering ${inFlight} requests, its most; try again shortly`, retryAfterSeconds);
      inFlight += 1;
      // 'close' comes once the response is sent or the client went away, whichever is first.
      reply.raw.once('close', () => void (inFlight -= 1));
    });
  },
  { name: 'ordo-load-shedding' },
);

/**
 * Whether to refuse work that starts more, the accepted settling this slowly: never up to
 * the bound, always from twice it, and in between a share that grows with the excess (as
 * PIE drops packets). Refusing all at the bound emptied the path, then let a full second
 * of orders in before the first of them settled, over and over: at 100 orders a second,
 * 45 % refused and p99 1.5 s (docs/decisions.md).
 */
const refusedAt = (settlingMs: number, boundMs: number) => Math.random() < (settlingMs - boundMs) / boundMs;

const QUEUE_SAMPLES = 5;

/** The mean of `measure` over its last QUEUE_SAMPLES samples, one every LAG_RESOLUTION_MS. */
const recentMean = (measure: () => number) => {
  const samples: number[] = [];
  const sampler = setInterval(() => {
    samples.push(measure());
    if (samples.length > QUEUE_SAMPLES) samples.shift();
  }, LAG_RESOLUTION_MS).unref();
  return {
    mean: () => (samples.length === 0 ? 0 : samples.reduce((sum, sample) => sum + sample, 0) / samples.length),
    stop: () => clearInterval(sampler),
  };
};
