// BENCH_COUNT_REQUESTS=1: each local-mode service's Kafka requests (by API) and SQL
// statements (by the start of their text) per order, over the same window as its CPU.
// Counted inside each service by ./request-counter.mjs; read here by signalling them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What one process sent so far. */
export interface RequestCounts {
  kafka: Record<string, number>;
  sql: Record<string, number>;
}

/** One process's requests per order over the window, its statements' largest first. */
export interface RequestsPerOrder {
  name: string;
  kafka: Record<string, number>;
  kafkaTotal: number;
  sqlTotal: number;
  statements: { text: string; perOrder: number }[];
}

const COUNTER = path.join(__dirname, 'request-counter.mjs');
/** How long a service may take to write its counts once signalled. */
const ANSWER_MS = 5_000;

const difference = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([key, count]) => [key, count - (before[key] ?? 0)]));

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);

/** A process's requests between two readings, per order; the `top` most frequent statements kept. */
export const requestsPerOrder = (name: string, before: RequestCounts, after: RequestCounts, orders: number, top = 5): RequestsPerOrder => {
  const perOrder = (counts: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(counts)
        .filter(([, count]) => count > 0)
        .map(([key, count]) => [key, count / Math.max(orders, 1)]),
    );
  const kafka = perOrder(difference(after.kafka, before.kafka));
  const sql = perOrder(difference(after.sql, before.sql));
  return {
    name,
    kafka,
    kafkaTotal: total(kafka),
    sqlTotal: total(sql),
    statements: Object.entries(sql)
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([text, perOrder]) => ({ text, perOrder })),
  };
};

/** The node flags and environment that make local mode's services count, and how to read their counts. */
export const requestCounting = () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-saga-requests-'));
  const fileOf = (pid: number) => path.join(folder, `${pid}.json`);
  return {
    nodeArgs: [`--import=${COUNTER}`],
    env: { ORDO_BENCH_COUNTS_DIR: folder },
    /** Every counting process's counts now. A process that wrote none at its start is not counting, and is never signalled. */
    read: async (processes: { pid: number }[]): Promise<Map<number, RequestCounts>> => {
      const asked = Date.now();
      const counting = processes.filter(({ pid }) => {
        if (!fs.existsSync(fileOf(pid))) return false;
        fs.rmSync(fileOf(pid));
        try {
          process.kill(pid, 'SIGWINCH');
          return true;
        } catch {
          return false; // ended since: it has no reading now
        }
      });
      const counts = new Map<number, RequestCounts>();
      while (counts.size < counting.length && Date.now() - asked < ANSWER_MS) {
        for (const { pid } of counting) {
          if (counts.has(pid) || !fs.existsSync(fileOf(pid))) continue;
          try {
            counts.set(pid, JSON.parse(fs.readFileSync(fileOf(pid), 'utf8')) as RequestCounts);
          } catch {
            // caught mid-write: read again on the next pass
          }
        }
        await sleep(20);
      }
      return counts;
    },
    remove: () => fs.rmSync(folder, { recursive: true, force: true }),
  };
};

export const printRequestsPerOrder = (rows: RequestsPerOrder[]): void => {
  if (rows.length === 0) return;
  console.log('process                          SQL statements per order  Kafka requests per order (by API)');
  const row = (name: string, sql: number, kafka: number, byApi = '') =>
    console.log(`  ${name.padEnd(32)} ${sql.toFixed(2).padStart(24)}  ${kafka.toFixed(2).padStart(6)}${byApi}`);
  for (const { name, kafka, kafkaTotal, sqlTotal } of rows) {
    const byApi = Object.entries(kafka)
      .sort(([, a], [, b]) => b - a)
      .map(([api, perOrder]) => `${api} ${perOrder.toFixed(2)}`)
      .join(', ');
    row(name, sqlTotal, kafkaTotal, byApi ? ` (${byApi})` : '');
  }
  const sum = (pick: (counted: RequestsPerOrder) => number) => rows.reduce((total, counted) => total + pick(counted), 0);
  row(
    'all',
    sum(({ sqlTotal }) => sqlTotal),
    sum(({ kafkaTotal }) => kafkaTotal),
  );
  console.log('the statements each process sent most, per order');
  for (const { name, statements } of rows)
    for (const { text, perOrder } of statements) console.log(`  ${name.padEnd(20)} ${perOrder.toFixed(2).padStart(6)}  ${text}`);
};
