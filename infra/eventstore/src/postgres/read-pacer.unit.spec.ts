import { setTimeout as sleep } from 'node:timers/promises';
import { readPacer } from './read-pacer';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the pace of a store’s live reads', () => {
  it('lets the first reads go at once, all those asked in that turn together', async () => {
    const pacer = readPacer();
    let released = 0;

    const reads = [pacer.paced(), pacer.paced(), pacer.paced()].map((read) => read.then(() => (released += 1)));
    await nextTurn();

    expect(released).toBe(3);
    await Promise.all(reads);
  });

  it('after a burst of reads, holds the next ones for twice as long as the burst took, then releases them together', async () => {
    const pacer = readPacer({ maxGapMs: 1_000 });
    await pacer.paced();
    await pacer.read(() => sleep(100)); // a burst of 100 ms: a busy database
    const released: number[] = [];
    const asked = performance.now();

    const held = [pacer.paced(), pacer.paced()].map((read, index) => read.then(() => released.push(index)));
    await sleep(20);
    expect(released).toEqual([]);
    await Promise.all(held);

    expect(released).toEqual([0, 1]);
    // 200 ms from the release before the burst: about 100 ms after asking.
    expect(performance.now() - asked).toBeGreaterThanOrEqual(60);
  });

  it('times a burst from its first read to its last, overlapping ones included', async () => {
    const pacer = readPacer({ maxGapMs: 1_000 });
    await pacer.paced();
    // Two reads of 60 ms, the second starting 40 ms in: one burst of about 100 ms.
    await Promise.all([pacer.read(() => sleep(60)), sleep(40).then(() => pacer.read(() => sleep(60)))]);
    const asked = performance.now();

    await pacer.paced();

    // 2 × 100 ms from the release before the burst: about 100 ms from now (2 × 60 would be 20).
    expect(performance.now() - asked).toBeGreaterThanOrEqual(60);
  });

  it('never waits longer than its longest gap', async () => {
    const pacer = readPacer({ maxGapMs: 15 });
    await pacer.paced();
    await pacer.read(() => sleep(60));
    let released = false;

    const read = pacer.paced().then(() => (released = true));
    await nextTurn();

    // 2 × 60 ms would hold it; 15 ms after the release it had passed long before.
    expect(released).toBe(true);
    await read;
  });

  it('waits at least its shortest gap after a burst, however short', async () => {
    const pacer = readPacer({ minGapMs: 50 });
    await pacer.paced();
    await pacer.read(async () => undefined);
    let released = false;

    const read = pacer.paced().then(() => (released = true));
    await sleep(10);

    expect(released).toBe(false);
    await read;
    expect(released).toBe(true);
  });

  it('lets reads go at once while bursts are short: an idle database', async () => {
    const pacer = readPacer();
    await pacer.paced();
    await pacer.read(async () => undefined);
    await sleep(5);
    let released = false;

    const read = pacer.paced().then(() => (released = true));
    await nextTurn();

    expect(released).toBe(true);
    await read;
  });
});
