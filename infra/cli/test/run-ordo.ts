// Runs the `ordo` command as a user does, in a process of its own, and gives back its exit
// code and output: what the CLI specs assert on.
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface OrdoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ordo ...args` with the test's environment plus `env`; never rejects: a failing command is an answer. */
export const runOrdo = (args: string[], env: Record<string, string | undefined> = {}): Promise<OrdoRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/src/ordo.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
