// Processes' CPU time, read from /proc (Linux): the saga bench's CPU per order.
import fs from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/**
 * CPU time (user and system), in ms, in the text of a /proc stat file; with
 * `reapedChildren`, that of the children the process has waited for as well.
 */
export const cpuMsInStat = (stat: string, { reapedChildren = false } = {}): number => {
  // The command name, in parentheses, may hold spaces and parentheses: the fields follow its last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15).map(Number);
  return ((utime + stime + (reapedChildren ? cutime + cstime : 0)) * 1000) / CLOCK_TICKS;
};

/** A process's CPU time so far, every thread of it. */
export const cpuMsOf = (pid: number): number => cpuMsInStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The CPU time so far of a process's main thread: JavaScript runs there, so one core is its limit. */
export const mainThreadCpuMsOf = (pid: number): number => cpuMsInStat(fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));

/** The PostgreSQL server's processes (its backends come and go with the pools' connections). */
const postgresPids = (): number[] =>
  fs.readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres' ? [Number(entry)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });

/**
 * The PostgreSQL server's CPU time so far, in ms: its processes' now, and those that ended.
 * A backend's time passes to the postmaster's children's when it ends; counting only the
 * processes there are, a connection that a pool closed during the window took its whole
 * life's CPU out of the count: up to 3.3 ms an order in one run of local mode's saga
 * bench before its pools kept their connections (docs/decisions.md).
 */
export const postgresCpuMs = (): number =>
  postgresPids().reduce((sum, pid) => {
    try {
      return sum + cpuMsInStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), { reapedChildren: true });
    } catch {
      return sum; // a backend that ended meanwhile
    }
  }, 0);
