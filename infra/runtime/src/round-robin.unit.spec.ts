import { roundRobin } from './round-robin';

describe('round robin', () => {
  it('gives each item in turn, from the first again after the last', () => {
    const next = roundRobin(['a', 'b', 'c']);
    expect([next(), next(), next(), next(), next()]).toEqual(['a', 'b', 'c', 'a', 'b']);
    const only = roundRobin(['a']);
    expect([only(), only()]).toEqual(['a', 'a']);
  });

  it('refuses nothing to turn over', () => {
    expect(() => roundRobin([])).toThrow('round robin over nothing');
  });
});
