// Named prepared statements for PGlite, which parses and plans every query it is given
// afresh: for the event store's reads that was about two thirds of each query's time in
// WebAssembly (0.53 ms of a read returning three events, 0.18 ms once prepared). A
// statement is prepared the first time its text is run with parameters and bound by name
// afterwards, over the same wire protocol PGlite's own query() speaks. Plain CommonJS
// beside worker.cjs, which uses it (see there why).
'use strict';
const { parse, protocol } = require('@electric-sql/pglite');

const wire = protocol.serialize;

/** Only a parameterised data statement is worth a plan kept: DDL and one-off text are run as PGlite runs them. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * A kept plan that no longer fits: its table changed shape under it (0A000), or the
 * statement is gone (26000). The statement is dropped and the query run unprepared.
 */
const STALE_PLAN = new Set(['0A000', '26000']);

/** How many statements are kept: more than the hot ones of every context, so none is evicted under load. */
const DEFAULT_CAPACITY = 512;

/** The protocol messages as one buffer. */
const concatenated = (messages) => {
  const buffer = new Uint8Array(messages.reduce((length, message) => length + message.length, 0));
  let offset = 0;
  for (const message of messages) {
    buffer.set(message, offset);
    offset += message.length;
  }
  return buffer;
};

/**
 * `query(text, params, transaction)` for the worker: `transaction` is PGlite's transaction
 * object when the worker holds one open for its caller (its lock is held then), else
 * undefined. Results are PGlite's own ({ rows, affectedRows, fields }), parsed by its parsers.
 */
const preparedQueries = (db, { capacity = DEFAULT_CAPACITY } = {}) => {
  /** text → { name, parameterTypes }, oldest use first. */
  const statements = new Map();
  let nextName = 1;
  const send = (message) => db.execProtocolStream(message, { syncToFs: false });

  const prepare = async (text) => {
    if (statements.size >= capacity) {
      const [oldestText, oldest] = statements.entries().next().value;
      statements.delete(oldestText);
      await send(wire.close({ type: 'S', name: oldest.name }));
      await send(wire.sync());
    }
    const name = `ordo_prepared_${nextName++}`;
    try {
      await send(wire.parse({ name, text }));
      const parameterTypes = parse.parseDescribeStatementResults(await send(wire.describe({ type: 'S', name })));
      const statement = { name, parameterTypes };
      statements.set(text, statement);
      return statement;
    } finally {
      await send(wire.sync());
    }
  };

  /** Binds and runs the statement; PGlite's lock for one query is held by the caller. */
  const execute = async (text, params) => {
    let statement = statements.get(text);
    if (statement) {
      statements.delete(text); // kept in order of use: re-inserted last
      statements.set(text, statement);
    } else statement = await prepare(text);
    const values = params.map((value, index) => {
      if (value === null || value === undefined) return null;
      const serialize = db.serializers[statement.parameterTypes[index]];
      return serialize ? serialize(value) : value.toString();
    });
    // The four messages go in one buffer, which PGlite runs to its end in one call: on an
    // error, PostgreSQL skips to the Sync, as it does for a client that pipelines them.
    const bound = concatenated([wire.bind({ statement: statement.name, values }), wire.describe({ type: 'P' }), wire.execute({}), wire.sync()]);
    try {
      return parse.parseResults(await send(bound), db.parsers)[0];
    } catch (error) {
      if (STALE_PLAN.has(error?.code)) statements.delete(text);
      throw error;
    }
  };

  return async (text, params, transaction) => {
    const target = transaction ?? db;
    if (!params || params.length === 0 || !PREPARABLE.test(text)) return target.query(text, params);
    // Inside the caller's transaction PGlite's transaction lock is held already; outside it, take it as query() does.
    const run = () => db._runExclusiveQuery(() => execute(text, params));
    try {
      if (transaction) return await run();
      const result = await db._runExclusiveTransaction(run);
      await db.syncToFs();
      return result;
    } catch (error) {
      if (!STALE_PLAN.has(error?.code) || transaction) throw error;
      return db.query(text, params);
    }
  };
};

module.exports = { preparedQueries };
