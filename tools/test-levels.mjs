#!/usr/bin/env node
// Runs the test levels one after another, each with a time budget, and prints how long
// each took and what it counted. `static` (types, lint, format) comes first; then the jest
// levels: unit, int (real PostgreSQL and Kafka), e2e (and Debian's chromium, installed
// where missing: tools/ensure-chromium.mjs). CI runs this through `npm test`; the budgets
// keep the suite well inside CI's 90 minutes on 2 cores.
//
//   node tools/test-levels.mjs [static|unit|int|e2e ...] [--project <folder>] [-- jest args]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './ensure-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (...parts) => path.join(root, 'node_modules', ...parts);
const BUDGET_MINUTES = { static: 10, unit: 5, int: 30, e2e: 40 };

const args = process.argv.slice(2);
const passThrough = args.includes('--') ? args.splice(args.indexOf('--')).slice(1) : [];
const projectFlag = args.indexOf('--project');
const project = projectFlag >= 0 ? args.splice(projectFlag, 2)[1] : undefined;
// A package's own `npm test` runs its jest levels only; the static level is workspace-wide.
const levels = args.length > 0 ? args : Object.keys(BUDGET_MINUTES).filter((level) => !project || level !== 'static');
const unknown = levels.filter((level) => !(level in BUDGET_MINUTES));
if (unknown.length > 0) {
  console.error(`unknown test level '${unknown[0]}'; the levels are ${Object.keys(BUDGET_MINUTES).join(', ')}`);
  process.exit(2);
}

/** Runs node with argv; past the deadline it is stopped and counts as failed. */
const runNode = (argv, deadline, level) =>
  new Promise((resolve) => {
    const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
    const child = spawn(process.execPath, argv, { cwd: root, stdio: 'inherit', env });
    const timer = setTimeout(
      () => {
        console.error(`\n${level}: over its budget of ${BUDGET_MINUTES[level]} min; stopping it`);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
      },
      Math.max(0, deadline - Date.now()),
    );
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
  });

// Checks, not tests: they count in no test total.
const runStatic = async (deadline) => {
  const checks = [
    ['typecheck', [bin('typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.json')]],
    ['lint', [bin('nx', 'dist', 'bin', 'nx.js'), 'run-many', '-t', 'lint', '--outputStyle=static']],
    // Formatting is prettier's (.prettierrc.json); `npm run format` fixes what this finds.
    ['format', [bin('prettier', 'bin', 'prettier.cjs'), '--check', '--log-level=warn', root]],
  ];
  for (const [name, argv] of checks) {
    console.log(`--- ${name}`);
    if ((await runNode(argv, deadline, 'static')) !== 0) return { ok: false, summary: `${name} failed` };
  }
  return { ok: true, summary: `${checks.map(([name]) => name).join(', ')} clean` };
};

const runJest = async (level, deadline) => {
  // The browser tests drive Debian's chromium: installed here where it is missing.
  if (level === 'e2e') {
    const chromium = ensureChromium();
    if (!chromium.ok) {
      console.error(`e2e: ${chromium.reason}`);
      return { ok: false, summary: 'no chromium (see above)' };
    }
  }
  const report = path.join(os.tmpdir(), `ordo-jest-${level}-${process.pid}.json`);
  const argv = [
    // PGlite loads its WebAssembly with import(), which jest's sandbox allows only with VM modules on.
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    bin('jest', 'bin', 'jest.js'),
    '--config',
    path.join(root, 'jest.config.js'),
    // `npm test` inside a package narrows the run to that package's tests. The path
    // goes before --selectProjects, which would otherwise take it for a project name.
    ...(project ? [`${path.resolve(root, project)}${path.sep}`] : []),
    '--selectProjects',
    level,
    '--passWithNoTests',
    '--json',
    '--outputFile',
    report,
    ...(process.env.CI ? ['--ci'] : []),
    ...passThrough,
  ];
  const code = await runNode(argv, deadline, level);
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (fs.existsSync(report)) {
    const result = JSON.parse(fs.readFileSync(report, 'utf8'));
    Object.assign(counts, { passed: result.numPassedTests, failed: result.numFailedTests, skipped: result.numPendingTests + result.numTodoTests });
    fs.rmSync(report, { force: true });
  }
  return { ok: code === 0, summary: `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`, ...counts };
};

const results = [];
for (const level of levels) {
  console.log(`\n=== ${level} (budget ${BUDGET_MINUTES[level]} min) ===`);
  const started = Date.now();
  const deadline = started + BUDGET_MINUTES[level] * 60_000;
  const result = level === 'static' ? await runStatic(deadline) : await runJest(level, deadline);
  results.push({ level, seconds: (Date.now() - started) / 1000, ...result });
  if (!result.ok) break;
}

console.log('\n=== test levels ===');
for (const r of results) {
  console.log(`${r.level.padEnd(6)} ${r.ok ? 'ok    ' : 'FAILED'} ${r.seconds.toFixed(1).padStart(7)} s of ${BUDGET_MINUTES[r.level]} min  ${r.summary}`);
}
const total = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) for (const key of Object.keys(total)) total[key] += r[key] ?? 0;
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(results.length === levels.length && results.every((r) => r.ok) ? 0 : 1);
