// One service of a shop launched in local mode (launchLocal), handled on its own: paused and
// resumed (SIGSTOP, SIGCONT), as a participant that stops answering; or deployed anew with
// other settings, as an operator deploys a new version of the saga service.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LaunchedLocalShop } from './launch';

const ROOT = path.resolve(__dirname, '../../..');

/** The pid of the service's process (`serve.ts <name>`), as the supervisor started it or as redeploy() did. */
export const servicePid = (shop: LaunchedLocalShop, name: string): number => {
  const found = shop.processes().find((each) => each.command.includes(`serve.ts ${name}`) && each.command.includes('node'));
  if (!found) throw new Error(`no process of service ${name}`);
  return found.pid;
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The process's environment, as it was started with. */
const environmentOf = (pid: number): Record<string, string> =>
  Object.fromEntries(
    fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );

/**
 * Stops the service gracefully (SIGINT: it leaves its consumer group at once, so the new
 * process takes its partitions without waiting out a session) and starts it again with its
 * environment changed by `env` (undefined removes a variable), then waits until it is ready.
 * The supervisor would restart the old settings, so it is stopped first (SIGKILL: the
 * services it started run on, unsupervised); the new process carries the launch's marker,
 * so the shop's stop() ends it with the rest. Resolves to its output.
 */
export const redeploy = async (shop: LaunchedLocalShop, name: string, url: string, env: Record<string, string | undefined>): Promise<string[]> => {
  const supervisor = shop.processes().find((each) => each.command.includes('infra/cli/src/local.ts'));
  if (supervisor) process.kill(supervisor.pid, 'SIGKILL');
  const pid = servicePid(shop, name);
  const environment: Record<string, string> = { ...environmentOf(pid) };
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined) delete environment[variable];
    else environment[variable] = value;
  }
  process.kill(pid, 'SIGINT');
  for (const deadline = Date.now() + 30_000; alive(pid); await sleep(100)) if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/cli/src/serve.ts', name], {
    cwd: ROOT,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.unref();
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(200)) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output.join('')}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return output;
  }
  throw new Error(`${name} did not become ready:\n${output.join('')}`);
};
