#!/usr/bin/env node
// Ordo runs its TypeScript directly; tsx compiles the CLI on the fly.
require('tsx/cjs');
require('../src/cli.ts');
