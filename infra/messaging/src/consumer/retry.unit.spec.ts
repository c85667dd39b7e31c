import { DEFAULT_RETRY, DeliveryAbandoned, backoffMs, retryPolicy, withRetries, type DeliveryControl } from './retry';

const owned = (overrides: Partial<DeliveryControl> = {}): DeliveryControl => ({ heartbeat: async () => undefined, isActive: () => true, ...overrides });
const quick = retryPolicy({ attempts: 3, initialMs: 1, maxMs: 2 });

describe('the retry policy', () => {
  it('by default waits longer than a 30 s failover before the last attempt, each wait at most 10 s', () => {
    const waits = Array.from({ length: DEFAULT_RETRY.attempts - 1 }, (_, i) => backoffMs(DEFAULT_RETRY, i + 1));
    expect(waits.slice(0, 3)).toEqual([100, 200, 400]);
    expect(Math.max(...waits)).toBe(10_000);
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThan(45_000);
  });

  it('refuses a policy that cannot work', () => {
    expect(() => retryPolicy({ attempts: 0 })).toThrow('retry.attempts must be a whole number of at least 1, got 0');
    expect(() => retryPolicy({ maxMs: -1 })).toThrow('retry.maxMs must be a number of at least 0, got -1');
  });

  it('tries until the work succeeds, or throws the last failure once the attempts are spent', async () => {
    let calls = 0;
    await expect(withRetries(quick, owned(), async () => (++calls < 3 ? Promise.reject(new Error(`fail ${calls}`)) : 'done'))).resolves.toBe('done');
    calls = 0;
    await expect(withRetries(quick, owned(), async () => Promise.reject(new Error(`fail ${++calls}`)))).rejects.toThrow('fail 3');
  });

  it('throws a failure that retrying cannot change at once, without waiting out the policy', async () => {
    class Refused extends Error {}
    let calls = 0;
    const failing = async () => Promise.reject(++calls === 1 ? new Error('transient') : new Refused('refused by its rules'));
    await expect(withRetries(DEFAULT_RETRY, owned(), failing, (error) => error instanceof Refused)).rejects.toThrow('refused by its rules');
    expect(calls).toBe(2);
  });

  it('gives the delivery up, without another attempt, when a heartbeat tells of a rebalance', async () => {
    const rebalancing = new Error('The group is rebalancing');
    let calls = 0;
    const attempt = withRetries(quick, owned({ heartbeat: async () => Promise.reject(rebalancing) }), async () => Promise.reject(new Error(`fail ${++calls}`)));
    await expect(attempt).rejects.toEqual(expect.objectContaining({ name: 'DeliveryAbandoned', heartbeatError: rebalancing }));
    expect(calls).toBe(1);
  });

  it('gives the delivery up when it is no longer ours, and a stop cuts a long wait short', async () => {
    let active = true;
    const stop = new AbortController();
    const long = retryPolicy({ attempts: 2, initialMs: 3_600_000 });
    const attempt = withRetries(long, owned({ isActive: () => active, signal: stop.signal }), async () => Promise.reject(new Error('down')));
    stop.abort();
    active = false;
    const error: unknown = await attempt.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryAbandoned);
    expect((error as DeliveryAbandoned).heartbeatError).toBeUndefined();
  });
});
