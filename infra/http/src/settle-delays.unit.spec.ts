import { MIN_SETTLED, SETTLE_WINDOW_MS, settleDelays } from './settle-delays';

// The settle delays' sign: the median delay of the last second, once enough work settled.

const at = (ms: number) => new Date(ms);

describe('settle delays', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 10_000));

  /** `delays` settle now, each accepted that long before. */
  const settle = (tracker: ReturnType<typeof settleDelays>, delays: number[]) => {
    for (const delay of delays) tracker.settled(at(now - delay), at(now));
  };

  it('says nothing until MIN_SETTLED pieces of work settled within the window', () => {
    const tracker = settleDelays(clock);
    settle(
      tracker,
      Array.from({ length: MIN_SETTLED - 1 }, () => 3_000),
    );
    expect(tracker.medianMs()).toBeUndefined();
    settle(tracker, [2_000]);
    expect(tracker.medianMs()).toBe(3_000);
  });

  it('is the median delay of the window: neither the quick orders of a partition that kept up nor one slow order decide it', () => {
    const tracker = settleDelays(clock);
    settle(tracker, [900, 40, 30, 1_200, 700, 800, 60_000]);
    expect(tracker.medianMs()).toBe(800);
  });

  it('forgets what settled before the window, bucket by bucket', () => {
    const tracker = settleDelays(clock);
    settle(tracker, [30, 30, 30]);
    now += SETTLE_WINDOW_MS / 2;
    settle(tracker, [600, 700, 800]);
    expect(tracker.medianMs()).toBe(600);
    now += SETTLE_WINDOW_MS / 2;
    expect(tracker.medianMs()).toBeUndefined();
    settle(tracker, [650, 650]);
    expect(tracker.medianMs()).toBe(650);
    now += SETTLE_WINDOW_MS * 2;
    expect(tracker.medianMs()).toBeUndefined();
  });

  it('takes the delays from the clock the work was stamped with, whatever the time now: a fixed clock settles at once', () => {
    const tracker = settleDelays(clock);
    for (let index = 0; index < MIN_SETTLED; index++) tracker.settled(at(5), at(5));
    expect(tracker.medianMs()).toBe(0);
  });
});
