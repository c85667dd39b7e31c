// Embedded mode's PGlite on a thread of its own. PostgreSQL compiled to WebAssembly is
// about half of the embedded process's CPU; on the main thread it competed with every
// request, consumer and saga for one core. On its own thread it uses the machine's other
// core, and the main thread only sends statements and takes rows back.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { PgliteDatabase, PgliteQueries } from '@ordo/runtime';

type Request =
  | { op: 'query'; text: string; params?: unknown[]; transaction?: number }
  | { op: 'begin' }
  | { op: 'commit' | 'rollback'; transaction: number }
  | { op: 'close' };
interface ErrorPayload {
  message: string;
  fields: Record<string, unknown>;
}
type Message = { id: number; result?: unknown; error?: ErrorPayload } | { ready: true } | { failed: ErrorPayload };

/** An error as the thread reported it, with PostgreSQL's fields (code, detail, ...) kept, since callers test them. */
const rebuilt = ({ message, fields }: ErrorPayload): Error => Object.assign(new Error(message), fields, { message });

/**
 * A timestamp column's Date arrives built by the message channel, in the realm the worker
 * API belongs to. Where code runs in a realm of its own (jest's sandbox), that is not the
 * caller's Date and `instanceof Date` is false: rebuilt here, in the caller's realm.
 */
const reviveDates = (row: Record<string, unknown>) => {
  for (const [column, value] of Object.entries(row)) {
    if (value !== null && typeof value === 'object' && !(value instanceof Date) && Object.prototype.toString.call(value) === '[object Date]') {
      row[column] = new Date((value as Date).getTime());
    }
  }
};

// Plain CommonJS beside this file (with prepared.cjs, which it loads): it loads the same
// under tsx and jest; a build must copy both beside thread.js, since tsc emits only what it compiles.
const WORKER_FILE = path.join(__dirname, 'worker.cjs');
const INITIALIZE_FILE = path.join(__dirname, 'initialize.cjs');

/**
 * A new folder's database is created (initdb) by a process of its own, which exits: PGlite
 * keeps initdb's memory while the instance that ran it lives, and an instance that opens
 * a folder already created never runs it (about 300 MB resident instead of 750).
 */
const initializeFolder = async (location: string): Promise<void> => {
  if (fs.existsSync(path.join(location, 'PG_VERSION'))) return;
  try {
    await promisify(execFile)(process.execPath, [INITIALIZE_FILE, location]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`could not create the PGlite database in ${location}: ${stderr || (error as Error).message}`);
  }
};

/** Opens PGlite at `location` (a folder, or undefined for memory) on its own thread, once it is ready. */
export const openPgliteThread = async (location: string | undefined): Promise<PgliteDatabase> => {
  if (location !== undefined) await initializeFolder(location);
  const worker = new Worker(WORKER_FILE, { workerData: { location } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let broken: Error | undefined;
  // The thread keeps the process alive only while a request waits on it, as in-process PGlite does.
  const holdProcess = () => (pending.size > 0 ? worker.ref() : worker.unref());

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: Message) => {
      if ('ready' in message) return resolve();
      if ('failed' in message) return reject(rebuilt(message.failed));
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      holdProcess();
      if (message.error) waiting?.reject(rebuilt(message.error));
      else waiting?.resolve(message.result);
    });
    const fail = (error: Error) => {
      broken ??= error; // a close says "closed", not how the thread then ended
      reject(error);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PGlite thread exited (code ${code})`)));
  });
  await ready;

  const call = <T>(request: Request): Promise<T> => {
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      holdProcess();
      worker.postMessage({ id, ...request });
    });
  };
  // Asked once: only a caller in a realm of its own needs its rows' Dates rebuilt, so a
  // process that does not pays nothing per row.
  const probe = await call<{ rows: { at: unknown }[] }>({ op: 'query', text: 'select now() as at' });
  const otherRealm = !(probe.rows[0]?.at instanceof Date);
  const queries = (transaction?: number): PgliteQueries => ({
    query: async <Row>(text: string, params?: unknown[]) => {
      const result = await call<{ rows: Row[] }>({ op: 'query', text, ...(params && { params }), ...(transaction !== undefined && { transaction }) });
      if (otherRealm) for (const row of result.rows) reviveDates(row as Record<string, unknown>);
      return result;
    },
  });

  return {
    ...queries(),
    waiting: () => pending.size,
    transaction: async (work) => {
      const transaction = await call<number>({ op: 'begin' });
      let result;
      try {
        result = await work(queries(transaction));
      } catch (error) {
        await call({ op: 'rollback', transaction }).catch(() => undefined);
        throw error;
      }
      await call({ op: 'commit', transaction });
      return result;
    },
    close: async () => {
      if (broken) return;
      await call({ op: 'close' });
      broken = new Error('the PGlite database is closed');
      await worker.terminate();
    },
  };
};
