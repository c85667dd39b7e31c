// Loaded into each of local mode's services by the saga bench with BENCH_COUNT_REQUESTS=1
// (`node --import`): counts the Kafka requests the process sends, by API, and the SQL
// statements it sends, by the start of their text, and writes both to
// ORDO_BENCH_COUNTS_DIR/<pid>.json at load and whenever it is sent SIGWINCH (./request-counts.ts):
// a signal the services' graceful shutdown does not listen to (close-with-grace takes
// SIGUSR2 as a stop), and one a process without this handler ignores.
// kafkajs has no hook that sees every request of every client in a process, and pg none
// that sees every statement of every pool, so the two send methods are wrapped. A bench
// tool only: a service never loads it otherwise. Requests sent by @platformatic/kafka
// (KAFKA_CLIENT=platformatic) are not counted.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const folder = process.env.ORDO_BENCH_COUNTS_DIR;
// The services' own copies, as they load them (from the repository's root, their cwd).
const require = createRequire(path.join(process.cwd(), 'package.json'));
/** The start of a statement's text: enough to tell statements apart, short enough to print. */
const STATEMENT_CHARS = 70;
const kafka = {};
const sql = {};

const count = (counts, key) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

const wrap = (load, wrapping) => {
  try {
    wrapping(load());
  } catch {
    // not installed where this process resolves it from: nothing of it to count
  }
};

wrap(
  () => require('kafkajs/src/network/connection'),
  (Connection) => {
    const send = Connection.prototype.send;
    Connection.prototype.send = function (sending) {
      count(kafka, sending.request.apiName);
      return send.call(this, sending);
    };
  },
);
wrap(
  () => require('pg'),
  (pg) => {
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function (config, ...rest) {
      const text = typeof config === 'string' ? config : config?.text;
      if (typeof text === 'string') count(sql, text.replace(/\s+/g, ' ').trim().slice(0, STATEMENT_CHARS));
      return query.call(this, config, ...rest);
    };
  },
);

const write = () => fs.writeFileSync(path.join(folder, `${process.pid}.json`), JSON.stringify({ kafka, sql }));
if (folder) {
  write();
  process.on('SIGWINCH', write);
}
