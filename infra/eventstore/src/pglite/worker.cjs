// The thread that owns embedded mode's PGlite database (./thread.ts starts it). Plain
// CommonJS, so it loads as it is under tsx and jest, with no transpiling (a build must copy
// it and prepared.cjs beside thread.js). It answers one message per request: a query, alone
// or in a transaction it holds open for the main thread, and close. PGlite runs one
// statement at a time, so a query outside the open transaction waits for it to end, as on
// the main thread. A query with parameters runs as a prepared statement (prepared.cjs).
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require('@electric-sql/pglite');
const { preparedQueries } = require('./prepared.cjs');

// PostgreSQL's buffer cache, inside PGlite's WebAssembly memory, which never shrinks. PGlite's
// 160 MB filled under load and stayed: the embedded shop peaked 116-140 MB higher than with
// 32 MB, at the same latency and CPU an order (docs/decisions.md). A page it no longer holds
// is read back from the folder's files, which the operating system caches.
const SHARED_BUFFERS = '32MB';

/** A PostgreSQL error's own fields (code, detail, constraint, ...), which callers test. */
const errorFields = (error) => ({
  message: error instanceof Error ? error.message : String(error),
  fields:
    error && typeof error === 'object'
      ? Object.fromEntries(Object.entries(error).filter(([, value]) => typeof value !== 'object' && typeof value !== 'function'))
      : {},
});

const main = async () => {
  const db = await PGlite.create(workerData.location, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`] });
  const preparedQuery = preparedQueries(db);
  /** Open transactions by id: each holds PGlite's transaction until its end is asked for. */
  const transactions = new Map();
  let nextTransaction = 1;
  const answer = (id, work) =>
    work.then(
      (result) => parentPort.postMessage({ id, result }),
      (error) => parentPort.postMessage({ id, error: errorFields(error) }),
    );

  const begin = () =>
    new Promise((started, failedToStart) => {
      const transactionId = nextTransaction++;
      let ended;
      const whenEnded = new Promise((resolve, reject) => (ended = { resolve, reject }));
      whenEnded.catch(() => undefined); // observed by end(), once asked
      db.transaction(
        (tx) =>
          new Promise((commit, rollback) => {
            transactions.set(transactionId, { tx, commit, rollback, whenEnded });
            started(transactionId);
          }),
      )
        .then(ended.resolve, (error) => (transactions.has(transactionId) ? ended.reject(error) : failedToStart(error)))
        .finally(() => transactions.delete(transactionId));
    });

  /** Commits (failing as COMMIT fails) or rolls back the transaction, and answers once PGlite has ended it. */
  const end = async (transactionId, how) => {
    const open = transactions.get(transactionId);
    if (!open) throw new Error(`no open transaction ${transactionId}`);
    if (how === 'commit') {
      open.commit();
      await open.whenEnded;
    } else {
      open.rollback(new Error('rolled back by the caller'));
      await open.whenEnded.catch(() => undefined);
    }
  };

  const query = async ({ text, params, transaction }) => {
    const open = transaction === undefined ? undefined : transactions.get(transaction);
    if (transaction !== undefined && !open) throw new Error(`no open transaction ${transaction}`);
    const { rows, affectedRows } = await preparedQuery(text, params, open?.tx);
    return { rows, affectedRows };
  };

  parentPort.on('message', (request) => {
    switch (request.op) {
      case 'query':
        return answer(request.id, query(request));
      case 'begin':
        return answer(request.id, begin());
      case 'commit':
      case 'rollback':
        return answer(request.id, end(request.transaction, request.op));
      case 'close':
        return answer(request.id, db.close());
      default:
        return parentPort.postMessage({ id: request.id, error: errorFields(new Error(`unknown request ${request.op}`)) });
    }
  });
  parentPort.postMessage({ ready: true });
};

main().catch((error) => parentPort.postMessage({ failed: errorFields(error) }));
