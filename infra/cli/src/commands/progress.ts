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
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {value}/{total} events | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    });
    bar.start(0, 0, { rate: 0 });
    return {
      update: (events, total) => {
        last = { events, total };
        const rate = Math.round((events * 1000) / Math.max(1, performance.now() - started));
        // Without a total the bar grows with the count: the rate stays true, the ETA reads 0.
        bar.setTotal(total ?? events);
        bar.update(events, { rate });
      },
      stop: () => bar.stop(),
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
