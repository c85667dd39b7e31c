// What a benchmark run leaves behind besides its printout: one JSON document a run, with
// the run's configuration (commit, Node, machine, BENCH_* settings, and what the benchmark
// describes of itself: partitions, batch sizes) and every figure it printed, and its charts
// as text beside it. Runs are then compared from files, not from copied terminal output.
//
// tools/bench.mjs turns it on for the benchmarks it runs (ORDO_BENCH_RESULTS, the folder;
// ORDO_BENCH_NAME, the benchmark's name): the files are written when the process exits,
// whatever the exit, so a failed run still leaves what it measured. Outside tools/bench.mjs
// (a unit test importing the kit) nothing is written.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { plot } from 'asciichart';

export interface RecordedRow {
  label: string;
  unit: string;
  value: number;
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
  target?: number;
  limit?: number;
  /** PASS, BELOW, ABOVE, or '' for a figure without a target. */
  result: string;
}

export interface RunRecord {
  benchmark: string;
  startedAt: string;
  finishedAt?: string;
  exitCode?: number;
  configuration: Record<string, unknown>;
  tables: { title: string; rows: RecordedRow[] }[];
  /** Figures a benchmark records as they are (the saga bench's rates, latencies, processes). */
  figures: Record<string, unknown>;
  charts: { title: string; text: string }[];
}

export interface ChartSeries {
  name: string;
  /** One value a point; the points are the chart's labels, in order. */
  values: readonly number[];
}

export const newRunRecord = (benchmark: string, startedAt = new Date()): RunRecord => ({
  benchmark,
  startedAt: startedAt.toISOString(),
  configuration: {},
  tables: [],
  figures: {},
  charts: [],
});

const benchmarkName = (): string => process.env.ORDO_BENCH_NAME ?? path.basename(process.argv[1] ?? 'bench').replace(/\.bench\.[cm]?[jt]s$/, '');

/** This process's run: every table printed and every figure recorded goes here. */
const run = newRunRecord(benchmarkName());

/** This process's run so far. */
export const currentRun = (): Readonly<RunRecord> => run;

/** Adds what the benchmark says of its own setup (partitions, batch sizes, rates) to the run's configuration. */
export const describeRun = (configuration: Record<string, unknown>): void => {
  Object.assign(run.configuration, configuration);
};

/** Records figures under a name, as they are: they must serialise to JSON. */
export const recordFigures = (name: string, figures: unknown): void => {
  run.figures[name] = figures;
};

export const recordTable = (title: string, rows: RecordedRow[]): void => {
  run.tables.push({ title, rows });
};

/**
 * Each point followed by spread - 1 points on the straight line to the next (a few points
 * would draw a few columns), up to the first point that is not a finite number:
 * asciichart draws only numbers, so such a point (a rate where nothing was confirmed) ends
 * the line.
 */
const stretched = (values: readonly number[], spread: number): number[] => {
  const end = values.findIndex((value) => !Number.isFinite(value));
  const drawn = end === -1 ? values : values.slice(0, end);
  return drawn.flatMap((value, index) => {
    const next = drawn[index + 1];
    return next === undefined ? [value] : Array.from({ length: spread }, (_, step) => value + ((next - value) * step) / spread);
  });
};

/**
 * A line chart as text (asciichart), one line per series over the same points, with the
 * points' labels under it and a legend of each line's points.
 */
export const renderChart = (title: string, series: readonly ChartSeries[], labels: readonly string[], height = 10): string => {
  // Each point takes as many columns as its label needs.
  const spread = Math.max(2, ...labels.map((label) => label.length + 2));
  const plotted = series.map(({ values }) => stretched(values, spread)).filter((values) => values.length > 0);
  const chart = plotted.length === 0 ? '(no points)' : plot(plotted, { height, format: (x: number) => x.toFixed(0).padStart(8) });
  // The plot's left margin: 8 for the axis' figures, then its line.
  const axis = ' '.repeat(10) + labels.map((label) => label.padEnd(spread)).join('');
  // Lines in text have no colour to tell them apart: the legend gives each one's points.
  const legend = series
    .map(({ name, values }) => `${name}: ${values.map((value) => (Number.isFinite(value) ? Math.round(value) : '-')).join(', ')}`)
    .join('   ');
  return `${title}\n${chart}\n${axis.trimEnd()}\n${legend}`;
};

/** Prints a chart (renderChart) and keeps it with the run's results. */
export const printChart = (title: string, series: readonly ChartSeries[], labels: readonly string[]): void => {
  const text = renderChart(title, series, labels);
  console.log(`\n${text}`);
  run.charts.push({ title, text });
};

const git = (args: string[]): string | undefined => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

/** What any run says of where it ran: the commit (and whether the tree had changes), Node, the machine, the BENCH_* settings. */
export const environmentOf = (env: NodeJS.ProcessEnv = process.env): Record<string, unknown> => {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    commit: git(['rev-parse', 'HEAD']) ?? 'unknown',
    uncommittedChanges: status === undefined ? 'unknown' : status.length > 0,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    settings: Object.fromEntries(
      Object.entries(env)
        .filter(([name]) => name.startsWith('BENCH_'))
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
};

/**
 * Writes the run under folder: `<benchmark>/<started>.json`, and `<started>.charts.txt`
 * beside it when it drew charts. Returns the JSON file's path.
 */
export const writeRun = (folder: string, record: RunRecord, environment: Record<string, unknown>): string => {
  const directory = path.join(folder, record.benchmark);
  fs.mkdirSync(directory, { recursive: true });
  const stem = path.join(directory, record.startedAt.replace(/:/g, '-'));
  const document: RunRecord = { ...record, configuration: { ...environment, ...record.configuration } };
  fs.writeFileSync(`${stem}.json`, `${JSON.stringify(document, null, 2)}\n`);
  if (record.charts.length > 0) fs.writeFileSync(`${stem}.charts.txt`, `${record.charts.map(({ text }) => text).join('\n\n')}\n`);
  return `${stem}.json`;
};

const folder = process.env.ORDO_BENCH_RESULTS;
if (folder) {
  // 'exit' runs synchronous work only, which writeRun is; the environment is read at the
  // start, while the commit is the one the run measured.
  const environment = environmentOf();
  process.once('exit', (code) => {
    try {
      const file = writeRun(folder, { ...run, finishedAt: new Date().toISOString(), exitCode: code }, environment);
      console.log(`results: ${path.relative(process.cwd(), file)}`);
    } catch (error) {
      console.error(`the results could not be written under ${folder}: ${(error as Error).message}`);
    }
  });
}
