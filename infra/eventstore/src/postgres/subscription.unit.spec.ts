import type { PositionedEvent, SubscribeOptions } from '../types';
import { subscribe, type OfferedSubscription, type SubscriptionSource } from './subscription';

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

/** A log whose appends are offered to the subscription, as a store with serial commits hands them over. */
const handingLog = () => {
  const events: PositionedEvent[] = [];
  let handedThrough: bigint | undefined;
  let onWake: (() => void) | undefined;
  let reads = 0;
  // A read's answer waits for this while a test holds it.
  let gate: Promise<void> = Promise.resolve();
  const source: SubscriptionSource = {
    readBatch: async (from, limit) => {
      reads += 1;
      await gate;
      // What was appended while the read was held counts as committed before it ran.
      const after = from === undefined ? 0 : Number(from);
      return events.slice(after, after + limit);
    },
    listen: async (wake) => {
      onWake = wake;
      return async () => undefined;
    },
    handOver: { keyOf: (e) => e.position, handedThrough: () => handedThrough, wants: () => true },
  };
  let subscription: OfferedSubscription | undefined;
  const add = (): PositionedEvent => {
    const position = BigInt(events.length + 1);
    const added = {
      id: `e${position}`,
      stream: 's',
      revision: position - 1n,
      position,
      type: 'Happened',
      data: {},
      metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
      recordedAt: new Date(),
      checkpoint: String(position),
    };
    events.push(added);
    return added;
  };
  return {
    source,
    attach: (to: OfferedSubscription) => void (subscription = to),
    get reads() {
      return reads;
    },
    hold: () => {
      let release = () => undefined as void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
    /** Appended and handed over. */
    appendHanded: () => {
      const added = add();
      handedThrough = added.position;
      subscription?.offer({ after: added.position - 1n, last: added.position, events: [added] });
    },
    /** Appended another way: only a wake says so. */
    appendWoken: () => {
      add();
      onWake?.();
    },
  };
};

describe('a PostgreSQL store’s subscription handed its appends (serial commits)', () => {
  const start = async (log: ReturnType<typeof handingLog>) => {
    const delivered: string[] = [];
    const subscription = subscribe(log.source, { handler: (e) => void delivered.push(e.id) });
    log.attach(subscription);
    await until(() => subscription.isLive);
    return { subscription, delivered };
  };

  it('takes an append that follows what it has seen without a read', async () => {
    const log = handingLog();
    const { subscription, delivered } = await start(log);
    const readsWhenLive = log.reads;

    for (let i = 0; i < 5; i++) log.appendHanded();
    await until(() => delivered.length === 5);
    await subscription.stop();

    expect(delivered).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(log.reads).toBe(readsWhenLive);
    expect(subscription.checkpoint).toBe('5');
  });

  it('reads when an append was not handed over, and takes each event once, in order', async () => {
    const log = handingLog();
    const { subscription, delivered } = await start(log);

    log.appendHanded();
    log.appendWoken();
    log.appendHanded();
    log.appendHanded();
    await until(() => delivered.length >= 4);
    await sleep(50);
    await subscription.stop();

    expect(delivered).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('takes once the events offered while a read that returns them is under way', async () => {
    const log = handingLog();
    const { subscription, delivered } = await start(log);
    const readsWhenLive = log.reads;
    // An append not handed over wakes a read, held while two more are appended and offered: it returns all three.
    const release = log.hold();
    log.appendWoken();
    await until(() => log.reads > readsWhenLive);
    log.appendHanded();
    log.appendHanded();
    await sleep(20);
    release();
    await until(() => delivered.length >= 3);
    log.appendHanded();
    await until(() => delivered.length >= 4);
    await sleep(50);
    await subscription.stop();

    expect(delivered).toEqual(['e1', 'e2', 'e3', 'e4']);
    // The offers the read had returned were passed over, and the next append was taken from memory.
    expect(log.reads).toBe(readsWhenLive + 1);
  });
});
