#!/usr/bin/env node
// The production build of one package (`npm run build` in it; `npm run build` at the top
// builds them all through Nx): its src/ compiled by swc, one JavaScript file per TypeScript
// file, into dist/, beside the plain .cjs files src/ holds (the PGlite worker). Specs and
// declarations are left out. No type checking here: `npm run typecheck` does that for the
// whole workspace, once. A package's `production` export condition points at dist/, so
// `node --conditions=production <package>/dist/main.js` runs it without tsx
// (docs/deploying.md).
import fs from 'node:fs';
import path from 'node:path';
import { transformFile } from '@swc/core';

const root = path.resolve(import.meta.dirname, '..');
const packageDir = process.cwd();
const sourceDir = path.join(packageDir, 'src');
const outDir = path.join(packageDir, 'dist');
const swcOptions = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));

const compiled = (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !/\.spec\.ts$/.test(file);
const copied = (file) => file.endsWith('.cjs');

fs.rmSync(outDir, { recursive: true, force: true });
let files = 0;
for (const relative of fs.readdirSync(sourceDir, { recursive: true })) {
  const source = path.join(sourceDir, relative);
  if (compiled(relative)) {
    const target = path.join(outDir, relative.replace(/\.ts$/, '.js'));
    const { code } = await transformFile(source, { ...swcOptions, swcrc: false, filename: source });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, code);
    files += 1;
  } else if (copied(relative)) {
    fs.mkdirSync(path.dirname(path.join(outDir, relative)), { recursive: true });
    fs.copyFileSync(source, path.join(outDir, relative));
    files += 1;
  }
}
console.log(`${path.relative(root, packageDir)}: ${files} files into dist/`);
