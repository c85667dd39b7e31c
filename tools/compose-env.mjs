#!/usr/bin/env node
// `npm run compose:env [-- <file>]`: the .env docker-compose.yml reads its secrets from
// (another file for `docker compose --env-file <file>`). Every variable
// the compose file requires (`${NAME:?...}`: each service's database password and token,
// the operator's and a customer's token, PostgreSQL's own password) gets a random value,
// unless .env already has one: a second run keeps what is there and adds only what is
// missing. Readable by its owner alone (docs/deploying.md).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const file = path.resolve(process.argv[2] ?? path.join(root, '.env'));
const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const required = [...new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?/g)].map((match) => match[1]))];

const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
const present = new Set([...existing.matchAll(/^\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
const missing = required.filter((name) => !present.has(name));
// base64url: no character a URL (DATABASE_URL) or a token list (`subject:token:role`, comma-separated) would need escaped.
const added = missing.map((name) => `${name}=${randomBytes(24).toString('base64url')}\n`).join('');
const separator = existing && !existing.endsWith('\n') ? '\n' : '';
fs.writeFileSync(file, `${existing}${separator}${added}`, { mode: 0o600 });
fs.chmodSync(file, 0o600);
console.log(
  missing.length === 0
    ? `${path.relative(process.cwd(), file)}: every variable docker-compose.yml needs is set`
    : `${path.relative(process.cwd(), file)}: set ${missing.join(', ')}`,
);
