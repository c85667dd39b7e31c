// Helpers for `npm run bench` benchmarks (tools/bench.mjs). A benchmark measures its
// subject beside a baseline run in the same process and prints the ratio against a
// target. It is a measurement, never a test: it reports BELOW and still exits 0. What it
// prints is also written to a results file under tools/bench.mjs (./results.ts).
import { recordTable } from './results';

/** A whole-number setting from the environment, e.g. BENCH_SECONDS=3 for a quick run. */
export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not '${raw}'`);
  return value;
};

// ---- timing

export const now = (): bigint => process.hrtime.bigint();
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Nearest-rank percentile (p in 0..1) of values sorted ascending. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN);

export interface Throughput {
  /** Items (events, rows) per second over the measured window. */
  perSecond: number;
  items: number;
  operations: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One operation; resolves to how many items it handled. `worker` is 0..concurrency-1. */
  operation: (worker: number) => Promise<number>;
  /** Aborting stops the workers after their current operation; runLoad then throws the reason. */
  signal?: AbortSignal;
}

/**
 * Runs `concurrency` closed-loop workers for warm-up plus duration. Only operations that
 * start after the warm-up count; the window ends when the last worker finishes.
 */
export const runLoad = async ({ concurrency, warmupMs, durationMs, operation, signal }: LoadOptions): Promise<Throughput> => {
  const begin = now();
  const measureFrom = begin + BigInt(Math.round(warmupMs * 1e6));
  const stopAt = measureFrom + BigInt(Math.round(durationMs * 1e6));
  const latencies: number[] = [];
  let items = 0;
  const worker = async (index: number) => {
    for (let started = now(); started < stopAt && !signal?.aborted; started = now()) {
      const handled = await operation(index);
      if (started >= measureFrom) {
        items += handled;
        latencies.push(msSince(started));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
  signal?.throwIfAborted();
  const seconds = Number(now() - measureFrom) / 1e9;
  latencies.sort((a, b) => a - b);
  return { perSecond: items / seconds, items, operations: latencies.length, seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
};

/** Runs baseline and subject alternately, `rounds` times each, to spread noise over both. */
export const alternate = async <B, S = B>(rounds: number, baseline: (round: number) => Promise<B>, subject: (round: number) => Promise<S>) => {
  const results = { baseline: [] as B[], subject: [] as S[] };
  for (let round = 0; round < rounds; round++) {
    results.baseline.push(await baseline(round));
    results.subject.push(await subject(round));
  }
  return results;
};

/** The run with the highest figure: on a busy machine noise only ever slows a run down. */
export const best = <T>(runs: readonly T[], figure: (run: T) => number): T => {
  const [first, ...rest] = runs;
  if (first === undefined) throw new Error('no runs to choose from');
  return rest.reduce((top, run) => (figure(run) > figure(top) ? run : top), first);
};

// ---- memory

export interface RssSampler {
  /** Stops sampling; the RSS when sampling started and the highest seen since, in bytes. */
  stop(): { beforeBytes: number; peakBytes: number };
}

/** Samples this process's resident set size on an interval (and at start and stop). */
export const sampleRss = (intervalMs = 10): RssSampler => {
  const beforeBytes = process.memoryUsage.rss();
  let peakBytes = beforeBytes;
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      return { beforeBytes, peakBytes };
    },
  };
};

export const MB = 1024 * 1024;

/**
 * The least-squares slope of y over x (0 with fewer than two distinct x): a memory's
 * growth per minute from samples over a run, where peak alone cannot tell a plateau from
 * a leak.
 */
export const slope = (points: readonly { x: number; y: number }[]): number => {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, { x }) => sum + x, 0) / n;
  const meanY = points.reduce((sum, { y }) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
};

// ---- report

export interface BenchRow {
  label: string;
  unit: string;
  value: number;
  /** The same figure for the baseline: printed beside it with the ratio value / baseline. */
  baseline?: number;
  /** Lowest acceptable ratio value / baseline: PASS or BELOW. */
  target?: number;
  /** Highest acceptable value (lower is better, e.g. memory): PASS or ABOVE. */
  limit?: number;
  digits?: number;
}

const format = (value: number | undefined, digits = 0): string =>
  value === undefined || Number.isNaN(value) ? '' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const verdictOf = (row: BenchRow): string => {
  if (row.target !== undefined && row.baseline !== undefined) return row.value / row.baseline >= row.target ? 'PASS' : 'BELOW';
  if (row.limit !== undefined) return row.value <= row.limit ? 'PASS' : 'ABOVE';
  return '';
};

/** Prints the rows as a table; returns how many missed their target or limit. */
export const printTable = (title: string, rows: readonly BenchRow[]): number => {
  const header = ['measure', 'subject', 'baseline', 'ratio', 'target', 'result'];
  const lines = rows.map((row) => [
    `${row.label} (${row.unit})`,
    format(row.value, row.digits),
    format(row.baseline, row.digits),
    row.baseline === undefined ? '' : format(row.value / row.baseline, 2),
    row.target !== undefined ? `>= ${format(row.target, 2)}` : row.limit !== undefined ? `<= ${format(row.limit, row.digits)}` : '',
    verdictOf(row),
  ]);
  const widths = header.map((cell, column) => Math.max(cell.length, ...lines.map((line) => line[column]?.length ?? 0)));
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(render(header));
  console.log(render(widths.map((width) => '-'.repeat(width))));
  for (const line of lines) console.log(render(line));
  recordTable(
    title,
    rows.map((row) => ({
      label: row.label,
      unit: row.unit,
      value: row.value,
      ...(row.baseline === undefined ? {} : { baseline: row.baseline, ratio: row.value / row.baseline }),
      ...(row.target === undefined ? {} : { target: row.target }),
      ...(row.limit === undefined ? {} : { limit: row.limit }),
      result: verdictOf(row),
    })),
  );
  const missed = rows.filter((row) => ['BELOW', 'ABOVE'].includes(verdictOf(row))).length;
  if (missed > 0) console.log(`${missed} figure(s) missed the target: see BELOW / ABOVE`);
  return missed;
};
export { benchKafka, type BenchKafka } from './broker';
export { describeRun, printChart, recordFigures, type ChartSeries } from './results';
