// Runs the example service as a real process, the way it runs in production, and
// gives tests its URL, its JSON log lines and its exit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const MAIN = path.join(__dirname, 'main.ts');
const TSX = require.resolve('tsx/cli');

export interface ExampleProcess {
  url: string;
  pid: number;
  logs: Record<string, unknown>[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first log line that matches, waiting for it up to 5 s: lines arrive through a pipe, after the response. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGTERM, then wait for exit; SIGKILL if it is still there after 15 s. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const exampleEnv = (databaseUrl: string, schema: string, extra: Record<string, string> = {}): Record<string, string> => ({
  PORT: '0',
  DATABASE_URL: databaseUrl,
  DATABASE_SCHEMA: schema,
  AUTH_TOKENS: 'alice:writer-token:customer,watcher:viewer-token:viewer,bot:operator-token:operator,ops:admin-token:admin',
  LOG_LEVEL: 'info',
  ...extra,
});

/** Starts it and resolves once it logged that it is ready, or rejects with its output. */
export const startExample = (env: Record<string, string>): Promise<ExampleProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, MAIN], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    const stderr: string[] = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    readline.createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'notes-example ready' && typeof entry.url === 'string') {
          const stop = async () => {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            const result = await exited;
            clearTimeout(timer);
            return result;
          };
          const waitForLog = async (match: (line: Record<string, unknown>) => boolean) => {
            for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(20)) {
              const found = logs.find(match);
              if (found) return found;
            }
            throw new Error(`no matching log line in:\n${logs.map((line) => JSON.stringify(line)).join('\n')}`);
          };
          resolve({ url: entry.url, pid: child.pid ?? -1, logs, stderr, exited, waitForLog, stop });
        }
      } catch {
        stderr.push(line);
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`example service exited (${code ?? signal}) before it was ready:\n${stderr.join('\n')}`)));
  });
