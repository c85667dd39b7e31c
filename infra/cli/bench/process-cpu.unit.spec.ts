import { cpuMsInStat } from './process-cpu';

// /proc/<pid>/stat: pid (comm) state, then ppid … utime (14th field) stime cutime cstime …
const statLine = (comm: string, [utime, stime, cutime, cstime]: number[]) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 100 200 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 500 10000 300`;

describe('cpuMsInStat', () => {
  it('adds user and system time, in ms from clock ticks', () => {
    expect(cpuMsInStat(statLine('postgres', [120, 30, 7000, 900]))).toBe(1_500);
  });

  it("adds the reaped children's time when asked: the postmaster's ended backends", () => {
    expect(cpuMsInStat(statLine('postgres', [120, 30, 7000, 900]), { reapedChildren: true })).toBe(80_500);
  });

  it('reads past a command name holding spaces and parentheses', () => {
    expect(cpuMsInStat(statLine('node (x) y', [5, 5, 0, 0]))).toBe(100);
  });
});
