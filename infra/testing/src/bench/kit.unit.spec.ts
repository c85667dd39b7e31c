import { slope } from './kit';

describe('slope', () => {
  it('is the growth per unit of x of points on a line, and of noisy points around it', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 100 + 5 * x })))).toBeCloseTo(5);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 100 + 5 * x + (x % 2 === 0 ? 1 : -1) })))).toBeCloseTo(4.6);
  });

  it('is 0 for a plateau, and for too few points to tell', () => {
    expect(slope([0, 1, 2].map((x) => ({ x, y: 300 })))).toBe(0);
    expect(slope([{ x: 0, y: 300 }])).toBe(0);
    expect(
      slope([
        { x: 1, y: 300 },
        { x: 1, y: 400 },
      ]),
    ).toBe(0);
  });
});
