// The browser the e2e level's browser tests drive (playwright-core, @ordo/testing/browser):
// Debian's chromium at /usr/bin/chromium, installed with apt-get where it is missing (CI's
// clean machine). CHROMIUM_PATH points at another binary instead; then nothing is installed.
// Playwright's own browser download is not used.
//
//   node tools/ensure-chromium.mjs    what tools/test-levels.mjs does before the e2e level
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const INSTALL = [
  ['apt-get', 'update'],
  ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium'],
];
const INSTALL_TIMEOUT_MS = 15 * 60_000;

const isExecutable = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The install commands as one line to paste, with sudo for someone who is not root. */
const byHand = () => {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return INSTALL.map((argv) => sudo + argv.join(' ')).join(' && ');
};

/**
 * Makes sure there is a chromium to launch; installs Debian's where it is missing.
 * Returns `{ ok: true, path }`, or `{ ok: false, reason }` saying what to do by hand.
 * `binary` is where the package puts it (another path only in this module's tests).
 */
export const ensureChromium = ({ env = process.env, binary = DEFAULT_CHROMIUM } = {}) => {
  if (env.CHROMIUM_PATH) {
    return isExecutable(env.CHROMIUM_PATH)
      ? { ok: true, path: env.CHROMIUM_PATH }
      : {
          ok: false,
          reason: `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, which is no executable file; point it at a Chromium binary, or unset it to use ${binary}`,
        };
  }
  if (isExecutable(binary)) return { ok: true, path: binary };

  console.log(`${binary} is missing: installing Debian's chromium (${INSTALL.map((argv) => argv.join(' ')).join(' && ')})`);
  for (const argv of INSTALL) {
    const result = spawnSync(argv[0], argv.slice(1), {
      env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: INSTALL_TIMEOUT_MS,
    });
    if (result.status !== 0) {
      const why = result.error ? result.error.message : result.signal ? `stopped by ${result.signal}` : `exit code ${result.status}`;
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      return {
        ok: false,
        reason: `could not install chromium: \`${argv.join(' ')}\` failed (${why})${output ? `:\n${output}` : ''}\nInstall it by hand: ${byHand()}\nor set CHROMIUM_PATH to a Chromium binary.`,
      };
    }
  }
  return isExecutable(binary)
    ? { ok: true, path: binary }
    : { ok: false, reason: `apt-get installed chromium, yet ${binary} is still missing; set CHROMIUM_PATH to its binary` };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = ensureChromium();
  if (result.ok) console.log(`chromium: ${result.path}`);
  else console.error(result.reason);
  process.exit(result.ok ? 0 : 1);
}
