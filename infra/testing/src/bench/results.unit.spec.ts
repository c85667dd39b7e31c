import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printTable } from './kit';
import { currentRun, environmentOf, newRunRecord, renderChart, writeRun } from './results';

const temporaryFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-bench-results-'));

describe('a run record', () => {
  it('keeps each table printed, with its ratios and verdicts', () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    printTable('writes', [
      { label: 'append', unit: 'events/s', value: 900, baseline: 1_000, target: 1.2 },
      { label: 'peak memory', unit: 'MB', value: 350, limit: 400 },
      { label: 'p99', unit: 'ms', value: 12.5 },
    ]);
    expect(currentRun().tables.at(-1)).toEqual({
      title: 'writes',
      rows: [
        { label: 'append', unit: 'events/s', value: 900, baseline: 1_000, ratio: 0.9, target: 1.2, result: 'BELOW' },
        { label: 'peak memory', unit: 'MB', value: 350, limit: 400, result: 'PASS' },
        { label: 'p99', unit: 'ms', value: 12.5, result: '' },
      ],
    });
  });

  it('is written as JSON under the benchmark’s folder, with the environment and its own configuration, and its charts beside it', () => {
    const folder = temporaryFolder();
    const record = { ...newRunRecord('saga', new Date('2026-12-04T08:00:00.000Z')), configuration: { topicPartitions: 3 } };
    record.charts.push({ title: 'latency', text: 'a chart' });
    const file = writeRun(folder, record, { commit: 'abc', node: 'v20' });
    expect(file).toBe(path.join(folder, 'saga', '2026-12-04T08-00-00.000Z.json'));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ benchmark: 'saga', configuration: { commit: 'abc', node: 'v20', topicPartitions: 3 } });
    expect(fs.readFileSync(path.join(folder, 'saga', '2026-12-04T08-00-00.000Z.charts.txt'), 'utf8')).toBe('a chart\n');
  });

  it('writes no charts file for a run without charts', () => {
    const folder = temporaryFolder();
    writeRun(folder, newRunRecord('eventstore', new Date('2026-12-04T08:00:00.000Z')), {});
    expect(fs.readdirSync(path.join(folder, 'eventstore'))).toEqual(['2026-12-04T08-00-00.000Z.json']);
  });
});

describe('environmentOf', () => {
  it('names the commit measured, Node, the machine and the BENCH_* settings only', () => {
    const environment = environmentOf({ BENCH_SECONDS: '5', BENCH_RATES: '25,50', DATABASE_URL: 'postgres://secret@db' });
    expect(environment.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(environment).toMatchObject({ node: process.version, cpus: os.cpus().length, settings: { BENCH_RATES: '25,50', BENCH_SECONDS: '5' } });
    expect(JSON.stringify(environment)).not.toContain('secret');
  });
});

describe('renderChart', () => {
  it('draws every series over the labelled points, with a legend of each one’s points', () => {
    const chart = renderChart(
      'p99 by rate',
      [
        { name: 'p50', values: [15, 19, 43] },
        { name: 'p99', values: [73, 154, 284.4] },
      ],
      ['25/s', '50/s', '75/s'],
    );
    const lines = chart.split('\n');
    expect(lines[0]).toBe('p99 by rate');
    expect(chart).toContain('25/s  50/s  75/s');
    expect(lines.at(-1)).toBe('p50: 15, 19, 43   p99: 73, 154, 284');
    // The axis spans the lowest and the highest point.
    expect(chart).toMatch(/^\s+284 [┼┤]/m);
    expect(chart).toMatch(/^\s+15 [┼┤]/m);
  });

  it('ends a line at a point that is not a number, and says so when there is nothing to draw', () => {
    const chart = renderChart('gap', [{ name: 'p99', values: [10, 20, Number.NaN, 300] }], ['a', 'b', 'c', 'd']);
    const [legend, ...drawing] = chart.split('\n').reverse();
    expect(legend).toBe('p99: 10, 20, -, 300');
    expect(drawing.join('\n')).toMatch(/^\s+20 [┼┤]/m);
    expect(drawing.join('\n')).not.toContain('300');
    expect(renderChart('none', [{ name: 'p99', values: [Number.NaN] }], ['a'])).toContain('(no points)');
  });
});

describe('under tools/bench.mjs (ORDO_BENCH_RESULTS set)', () => {
  it('writes the run when the process exits, failed or not', () => {
    const folder = temporaryFolder();
    const script = `
      const { printTable } = require('./kit');
      printTable('figures', [{ label: 'rate', unit: 'msgs/s', value: 10, baseline: 20, target: 0.6 }]);
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: __dirname,
      env: { ...process.env, ORDO_BENCH_RESULTS: folder, ORDO_BENCH_NAME: 'messaging', BENCH_ROUNDS: '2' },
      encoding: 'utf8',
    });
    expect(child.stdout).toContain('results: ');
    const [file] = fs.readdirSync(path.join(folder, 'messaging'));
    const written = JSON.parse(fs.readFileSync(path.join(folder, 'messaging', file as string), 'utf8'));
    expect(written).toMatchObject({
      benchmark: 'messaging',
      exitCode: 3,
      configuration: { settings: { BENCH_ROUNDS: '2' } },
      tables: [{ title: 'figures', rows: [{ label: 'rate', ratio: 0.5, result: 'BELOW' }] }],
    });
  });
});
