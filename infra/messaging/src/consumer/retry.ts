import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How long a failing message is retried in place before it is parked: `attempts` in
 * all, the waits doubling from `initialMs` up to `maxMs`.
 */
export interface RetryPolicy {
  attempts?: number;
  initialMs?: number;
  maxMs?: number;
}

/**
 * The default outlasts a 30 s database failover with room to spare: eleven waits of
 * 0.1, 0.2, 0.4 ... 6.4 s, then 10 s each, about 53 s before the twelfth and last
 * attempt. A failover is the commonest reason for every message to fail at once, and
 * parking for it would block every key it touched until an operator redrives them.
 * The waits stop at 10 s so that a message goes on at most 10 s after its cause is gone.
 */
export const DEFAULT_RETRY: Required<RetryPolicy> = { attempts: 12, initialMs: 100, maxMs: 10_000 };

/** The wait before the attempt after `attempt` (counted from 1). */
export const backoffMs = (policy: Required<RetryPolicy>, attempt: number): number => Math.min(policy.initialMs * 2 ** (attempt - 1), policy.maxMs);

export const retryPolicy = (policy: RetryPolicy | undefined): Required<RetryPolicy> => {
  const resolved = { ...DEFAULT_RETRY, ...policy };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`retry.${name} must be a number of at least 0, got ${value}`);
  }
  if (resolved.attempts < 1 || !Number.isInteger(resolved.attempts))
    throw new Error(`retry.attempts must be a whole number of at least 1, got ${resolved.attempts}`);
  return resolved;
};

/** What a delivery's owner lets the retries see of it. */
export interface DeliveryControl {
  /** Tells the group the member is alive; throws when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /** False once a rebalance took the partition away, or the consumer is stopping. */
  isActive(): boolean;
  /** Aborted when the consumer stops: a wait under way ends at once. */
  signal?: AbortSignal;
}

/** Always active, never beats: a caller with nobody to tell (a redrive). */
export const unattended: DeliveryControl = { heartbeat: async () => undefined, isActive: () => true };

/**
 * The message's processing was given up because the member no longer owns it (a
 * rebalance, a stop): never a reason to park. `cause` is the heartbeat's error when a
 * heartbeat told of the rebalance; the Kafka runner rethrows it so kafkajs rejoins.
 */
export class DeliveryAbandoned extends Error {
  constructor(readonly heartbeatError?: unknown) {
    super(heartbeatError === undefined ? 'the delivery is no longer ours (stopping or rebalanced)' : 'the group is rebalancing', { cause: heartbeatError });
    this.name = 'DeliveryAbandoned';
  }
}

// Kafka's default session timeout is 30 s and kafkajs beats every 3 s at most: a wait
// in slices of a second keeps the member in the group through any wait, and notices a
// rebalance within a heartbeat interval of the coordinator announcing it.
const SLICE_MS = 1_000;

/** Waits ms in slices, heartbeating between them; throws DeliveryAbandoned as soon as the delivery is no longer ours. */
export const waitOwned = async (ms: number, control: DeliveryControl): Promise<void> => {
  const until = Date.now() + ms;
  for (;;) {
    if (!control.isActive() || control.signal?.aborted) throw new DeliveryAbandoned();
    const left = until - Date.now();
    if (left <= 0) return;
    try {
      await sleep(Math.min(left, SLICE_MS), undefined, control.signal ? { signal: control.signal } : {});
    } catch {
      throw new DeliveryAbandoned(); // the stop's abort cut the wait short
    }
    try {
      await control.heartbeat();
    } catch (error) {
      throw new DeliveryAbandoned(error);
    }
  }
};

/**
 * Runs work until it succeeds, the policy's attempts are spent or it fails in a way
 * `permanent` says retrying cannot change (the failure is thrown), or the delivery stops
 * being ours (DeliveryAbandoned is thrown). Before each retry it checks the delivery is
 * still ours.
 */
export const withRetries = async <R>(
  policy: Required<RetryPolicy>,
  control: DeliveryControl,
  work: () => Promise<R>,
  permanent: (error: unknown) => boolean = () => false,
): Promise<R> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DeliveryAbandoned || attempt >= policy.attempts || permanent(error)) throw error;
    }
    await waitOwned(backoffMs(policy, attempt), control);
  }
};
