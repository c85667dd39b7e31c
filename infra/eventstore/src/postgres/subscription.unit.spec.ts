import type { PositionedEvent, SubscribeOptions } from '../types';
import { subscribe, type SubscriptionSource } from './subscription';

/** A store's log in memory: appends wake the subscription, as a store's appends do. */
const memoryLog = () => {
  const events: PositionedEvent[] = [];
  let onWake: (() => void) | undefined;
  let reads = 0;
  const source: SubscriptionSource = {
    readBatch: async (from, limit) => {
      reads += 1;
      const after = from === undefined ? 0 : Number(from);
      return events.slice(after, after + limit);
    },
    listen: async (wake) => {
      onWake = wake;
      return async () => undefined;
    },
  };
  return {
    source,
    get reads() {
      return reads;
    },
    append: () => {
      const revision = BigInt(events.length);
      events.push({
        id: `e${revision}`,
        stream: 's',
        revision,
        position: revision,
        type: 'Happened',
        data: {},
        metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
        recordedAt: new Date(),
        checkpoint: String(events.length + 1),
      });
      onWake?.();
    },
  };
};

/** Subscribes, and resolves once it is live; `delivered` holds, for each event handed over, the read it came in. */
const liveSubscription = async (log: ReturnType<typeof memoryLog>, options: Partial<SubscribeOptions> = {}) => {
  const delivered: number[] = [];
  let goLive = () => undefined as void;
  const isLive = new Promise<void>((resolve) => (goLive = resolve));
  const subscription = subscribe(log.source, { ...options, handler: () => void delivered.push(log.reads), onLive: goLive });
  await isLive;
  return { subscription, delivered };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (done: () => boolean) => {
  while (!done()) await sleep(5);
};

describe('a PostgreSQL store’s subscription that gathers (gatherMs)', () => {
  it('hands over the events appended one by one within a gathering as one read, where one that does not gather reads them one by one', async () => {
    const appendFive = async (log: ReturnType<typeof memoryLog>) => {
      for (let index = 0; index < 5; index++) {
        log.append();
        await sleep(20);
      }
    };
    const gatherMs = 1_000;
    const gathering = memoryLog();
    const gathered = await liveSubscription(gathering, { gatherMs });
    const eager = memoryLog();
    const each = await liveSubscription(eager);
    // The appends take about 100 ms: started just after a gathering, none falls in the next one.
    await sleep(gatherMs - (Date.now() % gatherMs) + 20);

    await Promise.all([appendFive(gathering), appendFive(eager)]);
    await until(() => gathered.delivered.length === 5 && each.delivered.length === 5);
    await Promise.all([gathered.subscription.stop(), each.subscription.stop()]);

    expect(new Set(gathered.delivered).size).toBe(1);
    expect(new Set(each.delivered).size).toBeGreaterThan(2);
  });

  it('reads on at once after a full batch instead of waiting for the next gathering', async () => {
    // Long, so that a gathering's timer firing late on a busy machine (unit suites run side
    // by side) still leaves its three reads inside it: at 300 ms they once straddled two.
    const gatherMs = 2_000;
    const log = memoryLog();
    const gatherings: number[] = [];
    const subscription = subscribe(log.source, { gatherMs, batchSize: 2, handler: () => void gatherings.push(Math.floor(Date.now() / gatherMs)) });
    await until(() => subscription.isLive);

    for (let index = 0; index < 5; index++) log.append();
    await until(() => gatherings.length === 5);
    await subscription.stop();

    // Three reads (2, 2, 1), all in the gathering that found them.
    expect(new Set(gatherings).size).toBe(1);
  });

  it('is stopped without waiting for its next gathering', async () => {
    const log = memoryLog();
    const { subscription } = await liveSubscription(log, { gatherMs: 60_000 });
    log.append();

    // A minute's wait would outlast the test's timeout.
    await subscription.stop();

    expect(subscription.checkpoint).toBeUndefined();
  });
});
