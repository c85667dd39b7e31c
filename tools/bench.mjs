#!/usr/bin/env node
// Runs benchmarks: `<package>/bench/<name>.bench.ts` under the workspace folders, each in
// its own node process (tsx), one after another, so one cannot skew the next. Benchmarks
// measure and print; they are not tests and never fail on a slow figure, only on an error.
//
//   npm run bench                     lists the benchmarks
//   npm run bench -- <name> [names]   runs them (every package's <name>.bench.ts)
//
// Each run also writes what it printed, with its configuration, to
// bench-results/<name>/<started>.json (git-ignored; ORDO_BENCH_RESULTS moves the folder),
// and its charts to <started>.charts.txt beside it (@ordo/testing/bench, results.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['infra', 'contexts', 'sagas', 'read-models'];
const SKIP = new Set(['node_modules', 'dist', 'coverage']);
const SUFFIX = '.bench.ts';

/** Every `bench/*.bench.ts` under dir, skipping dependencies, build output and dot folders. */
const findBenchFiles = (dir) => {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) || entry.name.startsWith('.') ? [] : findBenchFiles(full);
    return entry.isFile() && entry.name.endsWith(SUFFIX) && path.basename(dir) === 'bench' ? [full] : [];
  });
};

/** name → files; one name may have a benchmark in several packages. */
const benchmarks = new Map();
for (const file of FOLDERS.flatMap((folder) => findBenchFiles(path.join(root, folder))).sort()) {
  const name = path.basename(file, SUFFIX);
  benchmarks.set(name, [...(benchmarks.get(name) ?? []), file]);
}
const relative = (file) => path.relative(root, file);

const names = process.argv.slice(2);
if (names.length === 0) {
  if (benchmarks.size === 0) console.log(`No benchmarks yet: add <package>/bench/<name>${SUFFIX} under ${FOLDERS.join(', ')}.`);
  else {
    console.log('Benchmarks (npm run bench -- <name> [more names]):');
    for (const [name, files] of benchmarks) console.log(`  ${name.padEnd(20)} ${files.map(relative).join(', ')}`);
  }
  process.exit(0);
}
const unknown = names.filter((name) => !benchmarks.has(name));
if (unknown.length > 0) {
  const known = benchmarks.size > 0 ? [...benchmarks.keys()].join(', ') : 'none yet';
  console.error(`no benchmark named ${unknown.map((name) => `'${name}'`).join(', ')}; the benchmarks are: ${known}`);
  process.exit(2);
}

// Ctrl-C reaches the benchmark too (same process group): let it drop what it created,
// then stop instead of starting the next one.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void (interrupted = true));

/** A benchmark's own node flags: its `// node-options: <flags>` line (the replay bench runs with the ordo command's). */
const nodeOptionsOf = (file) => /^\/\/ node-options: (.+)$/m.exec(fs.readFileSync(file, 'utf8'))?.[1].trim().split(/\s+/) ?? [];

const resultsFolder = path.resolve(root, process.env.ORDO_BENCH_RESULTS ?? 'bench-results');

const run = (file) =>
  new Promise((resolve) => {
    const env = { ...process.env, ORDO_BENCH_RESULTS: resultsFolder, ORDO_BENCH_NAME: path.basename(file, SUFFIX) };
    const child = spawn(process.execPath, [...nodeOptionsOf(file), '--import', 'tsx', file], { cwd: root, stdio: 'inherit', env });
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code, signal) => resolve(signal ?? code));
  });

const results = [];
for (const file of [...new Set(names.flatMap((name) => benchmarks.get(name)))]) {
  if (interrupted) break;
  console.log(`\n=== ${path.basename(file, SUFFIX)}  (${relative(file)})  ${new Date().toISOString()}`);
  const started = Date.now();
  const outcome = await run(file);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = outcome === 0;
  console.log(`=== ${path.basename(file, SUFFIX)}: ${ok ? 'done' : `FAILED (${outcome})`} in ${seconds} s`);
  results.push({ file, ok });
}

if (results.length > 1) {
  console.log('\nSummary:');
  for (const { file, ok } of results) console.log(`  ${ok ? 'done  ' : 'FAILED'}  ${relative(file)}`);
}
process.exit(interrupted ? 130 : results.every(({ ok }) => ok) ? 0 : 1);
