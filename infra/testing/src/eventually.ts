import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it gives a truthy value, and returns that value; fails naming `what` after the timeout.
 * A probe that throws fails at once: only a falsy answer means "not yet".
 */
export const eventually = async <T>(probe: () => T | Promise<T>, what: string, { timeoutMs = 10_000, intervalMs = 20 } = {}): Promise<NonNullable<T>> => {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(intervalMs)) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
};
