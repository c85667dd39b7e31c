import { jest } from '@jest/globals';
import type { DeadLetterStore } from '../dead-letters/store';
import { ALONE_RELOAD_MS, createProcessor } from './processor';
import type { DeliveryControl } from './retry';

// The parked keys' reload: the batches of one fetch that ask for it in the same turn share
// one query, which starts after the last of them asked; a batch asking later gets its own.
// A consumer whose sequences span partitions (sequenceBy) asks at every batch, unless it
// is alone in its group; one sequenced by Kafka key only after an assignment.
const control = (active = true): DeliveryControl => ({ heartbeat: async () => undefined, isActive: () => active });

/** A dead-letter store whose parkedKeys answers from `parked` as it is when the query runs, counting the queries. */
const countingStore = (parked: Set<string>) => {
  const queries: string[][] = [];
  const store = {
    parkedKeys: async () => {
      queries.push([...parked]);
      return new Set(parked);
    },
  } as unknown as DeadLetterStore;
  return { store, queries };
};

/** A consumer sequenced by something other than the Kafka key: it reloads at every batch. */
const processorOn = (store: DeadLetterStore) =>
  createProcessor({ groupId: 'g', handle: async () => undefined, sequenceBy: (message) => String(message.value) }, store);

describe('reloading the parked keys', () => {
  it('serves the batches that ask in the same turn with one query', async () => {
    const { store, queries } = countingStore(new Set(['a']));
    const processor = processorOn(store);
    await Promise.all([processor.reloadParked(control()), processor.reloadParked(control()), processor.reloadParked(control())]);
    expect(queries).toHaveLength(1);
  });

  it('starts the shared query after the last batch asked, so each sees what was parked before it asked', async () => {
    const parked = new Set<string>();
    const { store, queries } = countingStore(parked);
    const processor = processorOn(store);
    const first = processor.reloadParked(control());
    parked.add('parked-by-another-member');
    const second = processor.reloadParked(control());
    await Promise.all([first, second]);
    expect(queries).toEqual([['parked-by-another-member']]);
  });

  it('gives a batch that asks once the query has started a query of its own', async () => {
    const { store, queries } = countingStore(new Set());
    const processor = processorOn(store);
    await processor.reloadParked(control());
    await processor.reloadParked(control());
    expect(queries).toHaveLength(2);
  });

  it('goes on while any batch that shares it is still active', async () => {
    let attempts = 0;
    const store = {
      parkedKeys: async () => {
        attempts++;
        if (attempts === 1) throw new Error('the database failed over');
        return new Set<string>();
      },
    } as unknown as DeadLetterStore;
    const processor = createProcessor({ groupId: 'g', handle: async () => undefined, retry: { attempts: 3, initialMs: 1 } }, store);
    await Promise.all([processor.reloadParked(control(false)), processor.reloadParked(control(true))]);
    expect(attempts).toBe(2);
  });

  describe('sequenced by Kafka key', () => {
    const byKey = (store: DeadLetterStore) => createProcessor({ groupId: 'g', handle: async () => undefined }, store);

    it('reloads at its first batch, then only at the first batch after each assignment', async () => {
      const parked = new Set<string>();
      const { store, queries } = countingStore(parked);
      const processor = byKey(store);
      await processor.reloadParked(control());
      parked.add('parked-before-the-partition-moved');
      await processor.reloadParked(control());
      expect(queries).toEqual([[]]);

      processor.assigned();
      await processor.reloadParked(control());
      await processor.reloadParked(control());

      expect(queries).toEqual([[], ['parked-before-the-partition-moved']]);
    });

    it('reloads again at the next batch when the reload failed, or an assignment came while it ran', async () => {
      let attempts = 0;
      const store = {
        parkedKeys: async () => {
          attempts++;
          if (attempts === 1) throw new Error('the database is down');
          if (attempts === 2) processor.assigned(); // an assignment while the reload runs
          return new Set<string>();
        },
      } as unknown as DeadLetterStore;
      const processor = createProcessor({ groupId: 'g', handle: async () => undefined, retry: { attempts: 1, initialMs: 1 } }, store);

      await expect(processor.reloadParked(control())).rejects.toThrow('the database is down');
      await processor.reloadParked(control());
      await processor.reloadParked(control());
      await processor.reloadParked(control());

      expect(attempts).toBe(3);
    });
  });

  describe('sequenced by sequenceBy, alone in its group', () => {
    afterEach(() => jest.useRealTimers());

    it('reloads once in the assignment it was found alone in, then every ALONE_RELOAD_MS, and at every batch again after the next assignment', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
      const { store, queries } = countingStore(new Set());
      const processor = processorOn(store);
      processor.alone(processor.assigned());

      await processor.reloadParked(control());
      await processor.reloadParked(control());
      expect(queries).toHaveLength(1);

      jest.advanceTimersByTime(ALONE_RELOAD_MS);
      await processor.reloadParked(control());
      await processor.reloadParked(control());
      expect(queries).toHaveLength(2);

      // Another member may have joined: alone only once the runner says so for this assignment.
      processor.assigned();
      await processor.reloadParked(control());
      await processor.reloadParked(control());
      expect(queries).toHaveLength(4);
    });

    it('is not taken for alone on word about an earlier assignment', async () => {
      const { store, queries } = countingStore(new Set());
      const processor = processorOn(store);
      const earlier = processor.assigned();
      processor.assigned();
      processor.alone(earlier);

      await processor.reloadParked(control());
      await processor.reloadParked(control());

      expect(queries).toHaveLength(2);
    });
  });
});
