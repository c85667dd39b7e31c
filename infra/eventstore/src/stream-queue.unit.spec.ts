import { streamQueue } from './stream-queue';

interface Entry {
  name: string;
  alone?: boolean;
  group?: string;
}

/** A queue whose batches the test finishes by hand, recording each as its entries' names joined by +. */
const queueOf = (maxBatch = 10) => {
  const batches: string[] = [];
  const running: Array<() => void> = [];
  const enqueue = streamQueue<Entry>({
    maxBatch,
    alone: (entry) => entry.alone === true,
    groupOf: (entry) => entry.group,
    run: (key, batch) =>
      new Promise<void>((resolve) => {
        batches.push(`${key}:${batch.map((entry) => entry.name).join('+')}`);
        running.push(resolve);
      }),
  });
  const finishAll = async () => {
    for (let round = 0; round < 5; round++) {
      running.splice(0).forEach((finish) => finish());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { enqueue, batches, finishAll };
};

describe('the queue of commands for one stream', () => {
  it('runs the first entry at once, and those that arrive meanwhile together next, in arrival order', async () => {
    const { enqueue, batches, finishAll } = queueOf();
    for (const name of ['a', 'b', 'c', 'd']) enqueue('order-1', { name });
    expect(batches).toEqual(['order-1:a']);
    await finishAll();
    expect(batches).toEqual(['order-1:a', 'order-1:b+c+d']);
  });

  it('never makes one stream wait for another', () => {
    const { enqueue, batches } = queueOf();
    enqueue('order-1', { name: 'a' });
    enqueue('order-2', { name: 'b' });
    expect(batches).toEqual(['order-1:a', 'order-2:b']);
  });

  it('runs an entry that must go alone as a batch of its own, and holds batches to maxBatch', async () => {
    const { enqueue, batches, finishAll } = queueOf(2);
    for (const entry of [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e', alone: true }, { name: 'f' }]) enqueue('stock-1', entry);
    await finishAll();
    expect(batches).toEqual(['stock-1:a', 'stock-1:b+c', 'stock-1:d', 'stock-1:e', 'stock-1:f']);
  });

  it('runs the entries of a group queued together as one batch of their own, whatever their number', async () => {
    const { enqueue, batches, finishAll } = queueOf(2);
    enqueue('stock-1', { name: 'a' }, { name: 'b' });
    enqueue('stock-1', { name: 'c', group: 'g1' }, { name: 'd', group: 'g1' }, { name: 'e', group: 'g1' });
    enqueue('stock-1', { name: 'f', group: 'g2' }, { name: 'g', group: 'g2' });
    enqueue('stock-1', { name: 'h' });
    enqueue('stock-2', { name: 'i', group: 'g3' }, { name: 'j', group: 'g3' });
    await finishAll();
    expect(batches).toEqual(['stock-1:a+b', 'stock-2:i+j', 'stock-1:c+d+e', 'stock-1:f+g', 'stock-1:h']);
  });

  it('starts afresh once a stream has nothing waiting', async () => {
    const { enqueue, batches, finishAll } = queueOf();
    enqueue('order-1', { name: 'a' });
    await finishAll();
    enqueue('order-1', { name: 'b' });
    expect(batches).toEqual(['order-1:a', 'order-1:b']);
  });
});
