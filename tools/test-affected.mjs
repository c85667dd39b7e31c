#!/usr/bin/env node
// `npm run test:affected [-- <base>]`: lints and tests only the projects a change touches,
// as a service's own CI would: Nx's affected projects (those with files changed between
// <base> and the working tree, and every project that depends on one of them), each its
// `lint` and `test` targets (a package's `npm test`: its unit, int and e2e levels), one
// project at a time, since the suites share two cores and the local servers.
// <base> defaults to NX_BASE, else origin/main, else the commit before HEAD. The full
// `npm test` (what CI runs, .ci/run) still runs everything.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const exists = (ref) => {
  try {
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
    return true;
  } catch {
    return false;
  }
};

const given = process.argv[2] ?? process.env.NX_BASE;
const base = given ?? (exists('origin/main') ? 'origin/main' : 'HEAD~1');
if (!exists(base)) {
  console.error(`test:affected: '${base}' is not a commit here; give a base: npm run test:affected -- <branch or commit>`);
  process.exit(2);
}
console.log(`test:affected: projects changed since ${base} (${git('rev-parse', '--short', base)}), and those that depend on them`);
const nx = path.join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const run = spawnSync(process.execPath, [nx, 'affected', '-t', 'lint', 'test', `--base=${base}`, '--parallel=1', '--outputStyle=static'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
});
process.exit(run.status ?? 1);
