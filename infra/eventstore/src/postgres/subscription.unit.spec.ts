import { jest } from '@jest/globals';
import type { PositionedEvent } from '../types';
import { subscribe, type SubscriptionSource } from './subscription';

const event = (n: number): PositionedEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'Counted',
  stream: 'count-1',
  revision: BigInt(n),
  position: BigInt(n),
  data: {},
  metadata: { correlationId: 'c', causationId: 'c', schemaVersion: 1 },
  recordedAt: new Date(0),
  checkpoint: `1:${n}`,
});

/** A store whose reads return what `visible` holds after the checkpoint, counting them, and whose wake-ups the test sends. */
const fakeSource = () => {
  const visible: PositionedEvent[] = [];
  let wake: () => void = () => undefined;
  let reads = 0;
  const source: SubscriptionSource = {
    readBatch: async (from) => {
      reads++;
      return visible.filter((each) => from === undefined || Number(each.checkpoint.split(':')[1]) > Number(from.split(':')[1]));
    },
    listen: async (onWake) => {
      wake = onWake;
      return async () => undefined;
    },
  };
  return { source, visible, wake: () => wake(), reads: () => reads };
};

/** Lets the subscription's loop run what it can without time passing. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('the PostgreSQL subscription loop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reads again within the first poll interval after a wake-up that found its events still held back', async () => {
    const store = fakeSource();
    const handled: PositionedEvent[] = [];
    const subscription = subscribe(store.source, { handler: (each) => void handled.push(each) });
    await settle();

    // Idle long enough for the polling to back off to its longest wait (a second).
    for (let i = 0; i < 12; i++) {
      await jest.advanceTimersByTimeAsync(1_000);
    }
    const readsWhenIdle = store.reads();

    // An append wakes it, but another transaction holds the event back: the read finds nothing.
    store.wake();
    await settle();
    expect(store.reads()).toBe(readsWhenIdle + 1);

    // The transaction ends: the event is visible, and no new wake-up comes.
    store.visible.push(event(1));
    await jest.advanceTimersByTimeAsync(10);
    expect(handled.map((each) => each.checkpoint)).toEqual(['1:1']);

    await subscription.stop();
  });
});
