// kafkajs 2.2.4 keeps a timer going on every broker connection for as long as it lives:
// its request queue re-arms a check of pending requests after each check, even with
// nothing pending and no throttle, and the delay it computes then is negative, so the
// check runs about every millisecond: an idle service woke some 1,500 times a second,
// which was most of the 40 to 60 ms of CPU it spent each second. Here a check is
// scheduled only while requests wait in the queue, which is the only time one can find
// anything to send: a request queued later arms its own check when it is pushed, and one
// waiting for a request in flight is sent when that one is answered or times out.
import { createRequire } from 'node:module';

/** The parts of kafkajs's (untyped, internal) RequestQueue this replaces and reads. */
export interface KafkaRequestQueue {
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
}

type RequestQueueClass = (new (options: object) => KafkaRequestQueue) & { prototype: KafkaRequestQueue & { [PATCHED]?: true } };

const PATCHED = Symbol.for('ordo.kafkajs.idle-request-queue');

/** kafkajs's own RequestQueue module: the one its connections use, resolved from its package. */
export const kafkaRequestQueueClass = (): RequestQueueClass => createRequire(require.resolve('kafkajs'))('./src/network/requestQueue') as RequestQueueClass;

const quietIdleRequestQueues = () => {
  const { prototype } = kafkaRequestQueueClass();
  if (prototype[PATCHED]) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  if (typeof schedule !== 'function') throw new Error('kafkajs changed: its RequestQueue has no scheduleCheckPendingRequests to correct');
  prototype.scheduleCheckPendingRequests = function (this: KafkaRequestQueue) {
    if (this.pending.length > 0) schedule.call(this);
  };
  prototype[PATCHED] = true;
};

quietIdleRequestQueues();
