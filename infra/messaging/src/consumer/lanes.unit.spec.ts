import { inLanes, type LaneSteps } from './lanes';

interface Item {
  sequence: string;
  n: number;
}

const items = (spec: string): Item[] => spec.split(' ').map((sequence, n) => ({ sequence, n }));

/** Steps that record the order items start and finish in, each taking `delayOf(item)` ms. */
const recording = (delayOf: (item: Item) => number, outcome: (item: Item) => boolean | Error = () => true) => {
  const log = { started: [] as number[], finished: [] as number[], handledUpTo: [] as number[], running: 0, mostAtOnce: 0 };
  const steps: LaneSteps<Item> = {
    handle: async (item) => {
      log.started.push(item.n);
      log.running += 1;
      log.mostAtOnce = Math.max(log.mostAtOnce, log.running);
      await new Promise((resolve) => setTimeout(resolve, delayOf(item)));
      log.running -= 1;
      log.finished.push(item.n);
      const answer = outcome(item);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    handledUpTo: (item) => log.handledUpTo.push(item.n),
    between: async () => undefined,
  };
  return { log, steps };
};

const sequenceOf = (item: Item) => item.sequence;

describe('inLanes', () => {
  it('keeps each sequence in its order while sequences overlap, and tells only a run handled from the first', async () => {
    // a's first item is slow: b and c finish meanwhile, but nothing is told as handled before a's first.
    const { log, steps } = recording((item) => (item.n === 0 ? 60 : 5));

    expect(await inLanes(items('a b a c b a'), sequenceOf, 3, steps)).toBe(true);

    const positions = (sequence: string) =>
      items('a b a c b a')
        .filter((item) => item.sequence === sequence)
        .map((item) => log.finished.indexOf(item.n));
    for (const sequence of ['a', 'b', 'c']) expect(positions(sequence)).toEqual([...positions(sequence)].sort((x, y) => x - y));
    expect(log.mostAtOnce).toBe(3);
    expect(log.finished.indexOf(0)).toBeGreaterThan(log.finished.indexOf(4));
    expect(log.handledUpTo[0]).toBeGreaterThanOrEqual(1);
    expect(log.handledUpTo).toEqual([...log.handledUpTo].sort((x, y) => x - y));
    expect(log.handledUpTo.at(-1)).toBe(5);
  });

  it('with one lane, takes the items one at a time in their given order', async () => {
    const { log, steps } = recording(() => 1);

    expect(await inLanes(items('a b a c b a'), sequenceOf, 1, steps)).toBe(true);

    expect(log.started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.handledUpTo).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.mostAtOnce).toBe(1);
  });

  it('after a stop takes no further item, lets those under way finish, and answers false', async () => {
    const { log, steps } = recording(
      (item) => (item.n === 1 ? 5 : 30),
      (item) => item.n !== 1,
    );

    expect(await inLanes(items('a b c a b c'), sequenceOf, 3, steps)).toBe(false);

    expect(log.started.sort()).toEqual([0, 1, 2]);
    expect(log.finished.sort()).toEqual([0, 1, 2]);
    // Item 1 was not handled, so nothing after item 0 may count as handled.
    expect(log.handledUpTo).toEqual([0]);
  });

  it('rethrows the first failure once the lanes under way have finished, taking nothing after it', async () => {
    const failure = new Error('the database is gone');
    const { log, steps } = recording(
      (item) => (item.n === 0 ? 5 : 30),
      (item) => (item.n === 0 ? failure : true),
    );

    await expect(inLanes(items('a b a b'), sequenceOf, 2, steps)).rejects.toBe(failure);

    expect(log.started.sort()).toEqual([0, 1]);
    expect(log.running).toBe(0);
    expect(log.handledUpTo).toEqual([]);
  });

  describe('with a step that takes a sequence at once', () => {
    const together = (answer: (items: Item[]) => 'handled' | 'one by one' | 'stopped' | Error) => {
      const { log, steps } = recording(() => 1);
      const runs: number[][] = [];
      steps.together = async (run) => {
        runs.push(run.map((item) => item.n));
        const outcome = answer(run);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      };
      return { log, steps, runs };
    };

    it('hands it each sequence that has more than one item, and handles a lone item as before', async () => {
      const { log, steps, runs } = together(() => 'handled');

      expect(await inLanes(items('a b a c a'), sequenceOf, 3, steps)).toBe(true);

      expect(runs).toEqual([[0, 2, 4]]);
      expect(log.started.sort()).toEqual([1, 3]);
      expect(log.handledUpTo.at(-1)).toBe(4);
    });

    it('handles the items one by one, in order, when it answers so', async () => {
      const { log, steps, runs } = together(() => 'one by one');

      expect(await inLanes(items('a a a'), sequenceOf, 2, steps)).toBe(true);

      expect(runs).toEqual([[0, 1, 2]]);
      expect(log.started).toEqual([0, 1, 2]);
      expect(log.handledUpTo).toEqual([0, 1, 2]);
    });

    it('stops, or fails, as a single item would', async () => {
      const stopping = together(() => 'stopped');
      expect(await inLanes(items('a a'), sequenceOf, 2, stopping.steps)).toBe(false);
      expect(stopping.log.handledUpTo).toEqual([]);

      const failure = new Error('lost the group');
      const failing = together(() => failure);
      await expect(inLanes(items('a a'), sequenceOf, 2, failing.steps)).rejects.toBe(failure);
      expect(failing.log.started).toEqual([]);
    });

    it('is never asked with one lane, where a sequence is every item', async () => {
      const { log, steps, runs } = together(() => 'handled');

      expect(await inLanes(items('a a b'), sequenceOf, 1, steps)).toBe(true);

      expect(runs).toEqual([]);
      expect(log.started).toEqual([0, 1, 2]);
    });
  });
});
