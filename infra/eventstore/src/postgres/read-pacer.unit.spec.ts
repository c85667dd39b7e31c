import { setTimeout as sleep } from 'node:timers/promises';
import { readPacer } from './read-pacer';

describe('the pace of a busy store’s live reads', () => {
  it('lets the first read go at once, and every read asked in that turn with it', async () => {
    const paced = readPacer(60_000);
    let released = 0;

    const reads = [paced(), paced(), paced()].map((read) => read.then(() => (released += 1)));
    await new Promise((resolve) => setImmediate(resolve));

    expect(released).toBe(3);
    await Promise.all(reads);
  });

  it('holds reads asked within the gap, then releases them together, once', async () => {
    const paced = readPacer(60);
    await paced();
    const released: number[] = [];

    const held = [paced(), paced()].map((read, index) => read.then(() => released.push(index)));
    await sleep(10);
    expect(released).toEqual([]);
    await Promise.all(held);

    expect(released).toEqual([0, 1]);
  });

  it('lets a read go at once after a quiet gap', async () => {
    const paced = readPacer(20);
    await paced();
    await sleep(40);
    let released = false;

    const read = paced().then(() => (released = true));
    await new Promise((resolve) => setImmediate(resolve));

    expect(released).toBe(true);
    await read;
  });
});
