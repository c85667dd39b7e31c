// tools/ensure-chromium.mjs in a node process of its own, with a stand-in apt-get on PATH
// (it logs its arguments and "installs" by making the binary) and the binary in a temporary
// folder: each way it decides, without root or a real install.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MODULE = path.join(__dirname, 'ensure-chromium.mjs');
const FAKE_APT_GET = `#!/bin/sh
echo "$*" >> "$FAKE_APT_LOG"
if [ "$1" = update ] && [ -n "$FAKE_APT_FAIL" ]; then echo "E: no network (stand-in)" >&2; exit 100; fi
if [ "$1" = install ]; then printf '#!/bin/sh\\n' > "$FAKE_BINARY" && chmod +x "$FAKE_BINARY"; fi
`;

describe('ensureChromium', () => {
  let dir: string;
  let binary: string;
  let aptLog: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-ensure-chromium-'));
    binary = path.join(dir, 'chromium');
    aptLog = path.join(dir, 'apt-get.log');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'apt-get'), FAKE_APT_GET, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ensure = (env: Record<string, string> = {}) => {
    const code = `import { ensureChromium } from ${JSON.stringify(MODULE)};
console.log(JSON.stringify(ensureChromium({ binary: process.env.FAKE_BINARY })));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`, FAKE_APT_LOG: aptLog, FAKE_BINARY: binary, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    return { result: JSON.parse(lines.pop() as string) as { ok: boolean; path?: string; reason?: string }, printed: lines };
  };
  const aptCalls = () => (fs.existsSync(aptLog) ? fs.readFileSync(aptLog, 'utf8').trim().split('\n') : []);

  it('takes CHROMIUM_PATH when it is an executable, and installs nothing', () => {
    expect(ensure({ CHROMIUM_PATH: process.execPath })).toEqual({ result: { ok: true, path: process.execPath }, printed: [] });
    expect(aptCalls()).toEqual([]);
  });

  it('fails, naming CHROMIUM_PATH, when it points at nothing, and installs nothing', () => {
    const { result } = ensure({ CHROMIUM_PATH: path.join(dir, 'nowhere') });
    expect(result.ok).toBe(false);
    expect(result.reason).toContain(`CHROMIUM_PATH is ${path.join(dir, 'nowhere')}, which is no executable file`);
    expect(aptCalls()).toEqual([]);
  });

  it('uses the binary that is there, and installs nothing', () => {
    fs.writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
    expect(ensure()).toEqual({ result: { ok: true, path: binary }, printed: [] });
    expect(aptCalls()).toEqual([]);
  });

  it('installs Debian’s chromium where it is missing: apt-get update, then install, saying so in one line', () => {
    const { result, printed } = ensure();
    expect(result).toEqual({ ok: true, path: binary });
    expect(printed).toEqual([`${binary} is missing: installing Debian's chromium (apt-get update && apt-get install -y --no-install-recommends chromium)`]);
    expect(aptCalls()).toEqual(['update', 'install -y --no-install-recommends chromium']);
  });

  it('fails with apt-get’s words and the commands to run by hand when the install fails', () => {
    const { result } = ensure({ FAKE_APT_FAIL: '1' });
    expect(result.ok).toBe(false);
    expect(result.reason).toContain('`apt-get update` failed (exit code 100)');
    expect(result.reason).toContain('E: no network (stand-in)');
    expect(result.reason).toMatch(/Install it by hand: (sudo )?apt-get update && (sudo )?apt-get install -y --no-install-recommends chromium/);
    expect(aptCalls()).toEqual(['update']);
  });
});
