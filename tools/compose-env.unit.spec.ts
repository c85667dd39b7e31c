// tools/compose-env.mjs (`npm run compose:env -- <file>`) in a node process of its own, on a
// temporary file: every secret docker-compose.yml requires gets a random value once, and a
// second run keeps them and what else the file holds.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, 'compose-env.mjs');
const REQUIRED = [
  ...new Set([...fs.readFileSync(path.join(__dirname, '..', 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((match) => match[1])),
];

describe('npm run compose:env', () => {
  let dir: string;
  let file: string;
  const run = () => execFileSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
  const read = () =>
    Object.fromEntries(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('=') as [string, string]),
    );

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-compose-env-'));
    file = path.join(dir, '.env');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives every variable the compose file requires a random value of its own, in a file only its owner reads', () => {
    expect(run()).toContain(`set ${REQUIRED.join(', ')}`);
    const values = read();
    expect(Object.keys(values).sort()).toEqual([...REQUIRED].sort());
    for (const value of Object.values(values)) expect(value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(Object.values(values)).size).toBe(REQUIRED.length);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps what the file holds, and adds only what is missing', () => {
    fs.writeFileSync(file, `ORDO_PORT=8080\nOPERATOR_TOKEN=mine`);
    run();
    const first = read();
    expect(first).toMatchObject({ ORDO_PORT: '8080', OPERATOR_TOKEN: 'mine' });
    expect(run()).toContain('every variable docker-compose.yml needs is set');
    expect(read()).toEqual(first);
  });
});
