#!/usr/bin/env node
// `node tools/stage-production.mjs <package> <out-dir>`: one service as its image holds it
// (each Dockerfile's build stage runs this after `npm run build`): the package and the
// workspace packages it depends on, each its package.json and its built files (`files`,
// default dist/), and node_modules with their production dependencies only. Nothing else
// of the repository: no sources (but what `files` names), no dev dependencies, no tsx.
// `node --conditions=production <out-dir>/<its folder>/dist/main.js` then runs it
// (docs/deploying.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [name, out] = process.argv.slice(2);
if (!name || !out) {
  console.error('usage: node tools/stage-production.mjs <package, e.g. @ordo/orders> <out-dir>');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
const outDir = path.resolve(out);
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const withoutDevDependencies = ({ devDependencies: _dropped, ...manifest }) => manifest;

// Every workspace folder the root names (infra/*, contexts/*/contract: one * a segment).
const expand = (pattern) =>
  pattern.split('/').reduce(
    (dirs, segment) =>
      dirs.flatMap((dir) =>
        segment === '*'
          ? fs
              .readdirSync(path.join(root, dir), { withFileTypes: true })
              .filter((entry) => entry.isDirectory())
              .map((entry) => path.join(dir, entry.name))
          : [path.join(dir, segment)],
      ),
    [''],
  );
const rootManifest = readJson(path.join(root, 'package.json'));
const workspaces = new Map(
  rootManifest.workspaces
    .flatMap(expand)
    .filter((dir) => fs.existsSync(path.join(root, dir, 'package.json')))
    .map((dir) => [readJson(path.join(root, dir, 'package.json')).name, dir]),
);
if (!workspaces.has(name)) {
  console.error(`stage-production: no workspace package '${name}'`);
  process.exit(2);
}

/** The package and every workspace package its production dependencies reach. */
const closure = new Set();
const visit = (packageName) => {
  if (closure.has(packageName)) return;
  closure.add(packageName);
  const manifest = readJson(path.join(root, workspaces.get(packageName), 'package.json'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) if (workspaces.has(dependency)) visit(dependency);
};
visit(name);

fs.rmSync(outDir, { recursive: true, force: true });
const write = (relative, manifest) => {
  fs.mkdirSync(path.join(outDir, relative), { recursive: true });
  fs.writeFileSync(path.join(outDir, relative, 'package.json'), `${JSON.stringify(withoutDevDependencies(manifest), null, 2)}\n`);
};
write('', rootManifest);
fs.copyFileSync(path.join(root, 'package-lock.json'), path.join(outDir, 'package-lock.json'));
// npm needs every workspace's manifest to check the lock file; only the closure's files come along.
for (const [packageName, dir] of workspaces) {
  const manifest = readJson(path.join(root, dir, 'package.json'));
  write(dir, manifest);
  if (!closure.has(packageName)) continue;
  for (const entry of manifest.files ?? ['dist']) {
    const source = path.join(root, dir, entry);
    if (!fs.existsSync(source)) {
      console.error(`stage-production: ${dir}/${entry} is missing; run npm run build first`);
      process.exit(1);
    }
    fs.cpSync(source, path.join(outDir, dir, entry), { recursive: true });
  }
}
// Without the dev dependencies in any manifest, npm installs the closure's production
// dependencies only (it would otherwise install a workspace's devDependencies too).
execFileSync('npm', ['ci', '--omit=dev', `--workspace=${name}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: outDir,
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log(`staged ${name} in ${path.relative(process.cwd(), outDir) || '.'}: ${[...closure].join(', ')}`);
