import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../problem';

export interface LoadSheddingOptions {
  /** New requests are refused while the event loop lags more than this, in ms: the mean over a second, so one long pause does not trip it. */
  maxEventLoopDelayMs: number;
  /** New requests are refused while this many are being answered. */
  maxInFlight: number;
  /** What a refused client is told to wait before trying again, in seconds. */
  retryAfterSeconds: number;
}

export const DEFAULT_LOAD_SHEDDING: LoadSheddingOptions = { maxEventLoopDelayMs: 500, maxInFlight: 512, retryAfterSeconds: 1 };

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

/**
 * Past its capacity a service refuses new work at once, 503 problem+json with Retry-After,
 * instead of queuing it without bound: the requests it accepted keep their latency, and
 * the refused ones can be tried again. Two signs of overload: the event loop lagging
 * (@fastify/under-pressure samples it), and too many requests in flight, the queue that
 * builds when the work waits on the database rather than the CPU.
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, options: LoadSheddingOptions) => {
    const { maxEventLoopDelayMs, maxInFlight, retryAfterSeconds } = options;
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      pressureHandler: async (request, _reply, type, value) => {
        if (alwaysAnswered(request)) return;
        throw new Overloaded(`the service is past its capacity (${type} ${Math.round(value ?? 0)}); try again shortly`, retryAfterSeconds);
      },
    });
    let inFlight = 0;
    app.addHook('onRequest', async (request, reply) => {
      if (alwaysAnswered(request)) return;
      if (inFlight >= maxInFlight) throw new Overloaded(`the service is answering ${inFlight} requests, its most; try again shortly`, retryAfterSeconds);
      inFlight += 1;
      // 'close' comes once the response is sent or the client went away, whichever is first.
      reply.raw.once('close', () => void (inFlight -= 1));
    });
  },
  { name: 'ordo-load-shedding' },
);
