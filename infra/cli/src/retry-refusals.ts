import { setTimeout as sleep } from 'node:timers/promises';

const DEFAULT_PATIENCE_MS = 60_000;

/**
 * fetch, as a well-behaved client of the shop does it: a 503 with Retry-After (a service past
 * its capacity refused the request before doing anything with it) is sent again after the
 * wait it names, for up to `patienceMs`; every other answer is returned as it is. A POST keeps
 * its Idempotency-Key, since `init` is sent unchanged.
 */
export const fetchRetryingRefusals = async (url: string, init: RequestInit = {}, patienceMs = DEFAULT_PATIENCE_MS): Promise<Response> => {
  for (const deadline = Date.now() + patienceMs; ;) {
    const response = await fetch(url, init);
    const retryAfterSeconds = Number(response.headers.get('retry-after'));
    if (response.status !== 503 || !(retryAfterSeconds > 0) || Date.now() + retryAfterSeconds * 1000 > deadline) return response;
    await response.arrayBuffer();
    await sleep(retryAfterSeconds * 1000);
  }
};
