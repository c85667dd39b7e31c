import { eventually } from '@ordo/testing';
import type { EventStore, PositionedEvent, Subscription } from '../types';
import { event, readAllOf, type streamNames } from './fixtures';

export const subscriptionContract = (store: () => EventStore, name: ReturnType<typeof streamNames>) => {
  describe('subscribing to all streams', () => {
    const subscriptions: Subscription[] = [];
    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    });

    const follow = (prefix: string, from?: string) => {
      const seen: PositionedEvent[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      let live = false;
      const subscription = store().subscribeToAll({
        from,
        batchSize: 7,
        filter: { streamPrefixes: [prefix] },
        onLive: () => (live = true),
        handler: async (e) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await new Promise((resolve) => setImmediate(resolve));
          seen.push(e);
          inFlight--;
        },
      });
      subscriptions.push(subscription);
      return { seen, subscription, isLive: () => live, maxInFlight: () => maxInFlight };
    };

    it('catches up, goes live, and across the switch misses nothing and repeats nothing', async () => {
      const prefix = name('sub');
      const append = (i: number) => store().appendToStream(`${prefix}${i % 3}`, [event(`e-${i}`, 0)], { expectedRevision: 'any' });
      for (let i = 0; i < 40; i++) await append(i);
      const { seen, isLive, maxInFlight } = follow(prefix);
      // Appends keep coming while it catches up and after it went live.
      for (let i = 40; i < 80; i++) await append(i);
      await eventually(() => seen.length >= 80, '80 events');
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(seen).toHaveLength(80);
      expect(new Set(seen.map((e) => e.id)).size).toBe(80);
      for (let s = 0; s < 3; s++) {
        const revisions = seen.filter((e) => e.stream === `${prefix}${s}`).map((e) => e.revision);
        expect(revisions).toEqual(revisions.map((_, i) => BigInt(i)));
      }
      expect(isLive()).toBe(true);
      expect(maxInFlight()).toBe(1); // one event at a time: a slow handler holds the reading back
    });

    it('resumes after the checkpoint it had reached, with nothing before it', async () => {
      const prefix = name('resume');
      for (let i = 0; i < 5; i++) await store().appendToStream(`${prefix}x`, [event(`r-${i}`, 0)], { expectedRevision: 'any' });
      const first = follow(prefix);
      await eventually(() => first.seen.length === 5, 'the first five');
      await first.subscription.stop();
      const checkpoint = first.subscription.checkpoint;
      for (let i = 5; i < 8; i++) await store().appendToStream(`${prefix}x`, [event(`r-${i}`, 0)], { expectedRevision: 'any' });

      const second = follow(prefix, checkpoint);
      await eventually(() => second.seen.length >= 3, 'the three after');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(second.seen.map((e) => e.revision)).toEqual([5n, 6n, 7n]);
      expect(checkpoint).toBe((await readAllOf(store(), prefix))[4]?.checkpoint);
    });

    it('stops on a failing handler, rejecting done, with the checkpoint before the failure', async () => {
      const prefix = name('fail');
      for (let i = 0; i < 3; i++) await store().appendToStream(`${prefix}x`, [event(`f-${i}`, 0)], { expectedRevision: 'any' });
      const handled: bigint[] = [];
      const subscription = store().subscribeToAll({
        filter: { streamPrefixes: [prefix] },
        handler: (e) => {
          if (e.revision === 1n) throw new Error('poison');
          handled.push(e.revision);
        },
      });
      subscriptions.push(subscription);
      await expect(subscription.done).rejects.toThrow('poison');
      expect(handled).toEqual([0n]);
      expect(subscription.checkpoint).toBe((await readAllOf(store(), prefix))[0]?.checkpoint);
    });
  });
};
