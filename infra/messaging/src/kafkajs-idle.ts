// kafkajs 2.2.4 keeps timers going on every broker connection for as long as it lives,
// and an idle service has a dozen or more connections (its relay, each consumer, their
// dead-letter producers, the lag gauge's admin client). Two of them are corrected here:
//
// - Its request queue re-arms a check of pending requests after each check, even with
//   nothing pending and no throttle, and the delay it computes then is negative, so the
//   check runs about every millisecond: an idle service woke some 1,500 times a second,
//   most of the 40 to 60 ms of CPU it spent each second. Here a check is scheduled only
//   while requests wait in the queue, the only time one can find anything to send: a
//   request queued later arms its own check when it is pushed, and one waiting for a
//   request in flight is sent when that one is answered or times out.
// - It looks for requests past their timeout every 100 ms, ten wake-ups a second per
//   connection. Here every second: a request times out at most a second later than its
//   timeout (30 s by default; a fetch's is its wait plus that), and is failed the same way.
import { createRequire } from 'node:module';

/** How often a connection looks for requests past their timeout. */
export const REQUEST_TIMEOUT_CHECK_MS = 1_000;

interface SocketRequest {
  sentAt: number;
  requestTimeout: number;
  timeoutRequest(): void;
}

/** The parts of kafkajs's (untyped, internal) RequestQueue this replaces and reads. */
export interface KafkaRequestQueue {
  pending: unknown[];
  inflight: Map<number, SocketRequest>;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  isConnected(): boolean;
  destroy(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
}

type RequestQueueClass = (new (options: object) => KafkaRequestQueue) & { prototype: KafkaRequestQueue & { [PATCHED]?: true } };

const PATCHED = Symbol.for('ordo.kafkajs.idle-request-queue');
/** The kafkajs these corrections were written against: another is left as it is (and the unit spec fails). */
export const CORRECTED_KAFKAJS = '2.2.4';

const fromKafkajs = (path: string): unknown => createRequire(require.resolve('kafkajs'))(path);
export const kafkajsVersion = (): string => (fromKafkajs('./package.json') as { version: string }).version;
/** kafkajs's own RequestQueue class: the one its connections use. */
export const kafkaRequestQueueClass = (): RequestQueueClass => fromKafkajs('./src/network/requestQueue') as RequestQueueClass;

const quietIdleRequestQueues = () => {
  if (kafkajsVersion() !== CORRECTED_KAFKAJS) return;
  const { prototype } = kafkaRequestQueueClass();
  if (prototype[PATCHED]) return;
  const scheduleCheckPendingRequests = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: KafkaRequestQueue) {
    if (this.pending.length > 0) scheduleCheckPendingRequests.call(this);
  };
  // kafkajs's own check, at a slower pace.
  prototype.scheduleRequestTimeoutCheck = function (this: KafkaRequestQueue) {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    this.requestTimeoutIntervalId = setInterval(
      () => {
        this.inflight.forEach((request) => {
          if (Date.now() - request.sentAt > request.requestTimeout) request.timeoutRequest();
        });
        if (!this.isConnected()) this.destroy();
      },
      Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
    );
  };
  prototype[PATCHED] = true;
};

quietIdleRequestQueues();
