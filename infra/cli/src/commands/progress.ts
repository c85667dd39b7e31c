// Progress of a long command (a replay, a republish) on stderr: a bar on a terminal, one
// plain line every few seconds otherwise (CI logs, pipes), so stdout keeps only results.
import { SingleBar } from 'cli-progress';

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Plain mode: seconds between lines. */
  everyMs?: number;
}

export interface Progress {
  /** Events done so far, and the total when the source knows it. */
  update(events: number, total?: number): void;
  stop(): void;
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** `events n, r/s, ETA t`: the plain line, also what the bar shows. */
export const progressLine = (events: number, elapsedMs: number, total?: number): string => {
  const rate = elapsedMs > 0 ? (events * 1000) / elapsedMs : 0;
  const eta = total !== undefined && rate > 0 ? `, ETA ${seconds(((total - events) / rate) * 1000)}` : '';
  return `events ${events}${total === undefined ? '' : `/${total}`}, ${Math.round(rate)}/s${eta}`;
};

export const startProgress = (label: string, options: ProgressOptions = {}): Progress => {
  const stream = options.stream ?? process.stderr;
  const started = performance.now();
  let last = { events: 0, total: undefined as number | undefined };
  if (stream.isTTY) {
    // Made at the first update, when it is known whether the source tells its total: without
    // one there is nothing to fill a bar or an ETA with, only the count and the rate.
    let bar: SingleBar | undefined;
    return {
      update: (events, total) => {
        last = { events, total };
        const rate = Math.round((events * 1000) / Math.max(1, performance.now() - started));
        if (!bar) {
          const format =
            total === undefined ? `${label} {value} events | {rate}/s` : `${label} [{bar}] {value}/{total} events | {rate}/s | ETA {eta_formatted}`;
          bar = new SingleBar({ stream, format, hideCursor: true, etaBuffer: 50 });
          bar.start(total ?? 0, events, { rate });
        }
        if (total !== undefined) bar.setTotal(total);
        bar.update(events, { rate });
      },
      stop: () => bar?.stop(),
    };
  }
  const everyMs = options.everyMs ?? 5000;
  let printedAt = started;
  return {
    update: (events, total) => {
      last = { events, total };
      const now = performance.now();
      if (now - printedAt < everyMs) return;
      printedAt = now;
      stream.write(`${label}: ${progressLine(events, now - started, total)}\n`);
    },
    stop: () =>
      stream.write(`${label}: ${progressLine(last.events, performance.now() - started, last.total)}, done in ${seconds(performance.now() - started)}\n`),
  };
};
