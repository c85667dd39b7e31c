// The PostgreSQL event store beside raw `pg` doing the same writes and reads, in one
// process, on one server, in a schema of its own that is dropped at the end.
//
//   npm run bench -- eventstore
//   DATABASE_URL=…  BENCH_SECONDS=10  BENCH_WARMUP_SECONDS=2  BENCH_ROUNDS=2  BENCH_READALL_EVENTS=1000000
import os from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { APPEND_GROUPING, createEventStore, type EventData, type EventStore, type ExpectedRevision } from '../src';
import { MB, alternate, describeRun, best, envNumber, msSince, now, printTable, runLoad, sampleRss, type Throughput } from '@ordo/testing/bench';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL_SIZE = 8;
const WARMUP_MS = envNumber('BENCH_WARMUP_SECONDS', 2) * 1000;
const DURATION_MS = envNumber('BENCH_SECONDS', 10) * 1000;
const READ_ALL_EVENTS = envNumber('BENCH_READALL_EVENTS', 1_000_000);
const ROUNDS = envNumber('BENCH_ROUNDS', 2); // baseline and subject alternate; the better of each is compared
const BATCH = 100;
const READ_BATCH = 1000;
const SCHEMA = `bench_es_${randomBytes(4).toString('hex')}`;
// Ctrl-C stops the load, so the schema can be dropped without racing the writers.
const interrupt = new AbortController();

// ---- payload: one realistic event; both sides store exactly this JSON

const DATA = {
  orderId: 'order-7f3a2c',
  customerId: 'customer-1842',
  currency: 'EUR',
  lines: [
    { sku: 'SKU-10042', name: 'Espresso beans 1 kg', quantity: 2, unitPrice: 1890 },
    { sku: 'SKU-20417', name: 'Milk frothing jug', quantity: 1, unitPrice: 1450 },
    { sku: 'SKU-31008', name: 'Descaling tablets', quantity: 3, unitPrice: 690 },
  ],
  total: 7300,
  shippingAddress: { street: '12 Canal Street', city: 'Utrecht', postcode: '3511 AB', country: 'NL' },
};
const METADATA = {
  correlationId: randomUUID(),
  causationId: randomUUID(),
  commandId: randomUUID(),
  traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
  actor: 'customer-1842',
  schemaVersion: 1,
};
const orderPlaced = (): EventData => ({ id: randomUUID(), type: 'OrderPlaced', data: DATA, metadata: METADATA });
const batchOf = (size: number): EventData[] => Array.from({ length: size }, orderPlaced);

// ---- the benchmarks

interface Sides {
  store: EventStore;
  raw: pg.Pool;
}

const load = (concurrency: number, operation: (worker: number) => Promise<number>) =>
  runLoad({ concurrency, warmupMs: WARMUP_MS, durationMs: DURATION_MS, operation, signal: interrupt.signal });

/**
 * a. One event to a new stream, 8 writers: the store (its group commit shares round trips
 * and commits among the appends made at once) against a one-row INSERT each.
 */
const singleAppends = async ({ store, raw }: Sides) => {
  let streams = 0;
  const insert = `insert into "${SCHEMA}".raw_events (payload) values ($1::jsonb)`;
  return alternate(
    ROUNDS,
    () => load(POOL_SIZE, async () => (await raw.query(insert, [JSON.stringify(orderPlaced())])).rowCount ?? 0),
    async () =>
      load(POOL_SIZE, async () => {
        await store.appendToStream(`order-a${++streams}`, [orderPlaced()], { expectedRevision: 'no_stream' });
        return 1;
      }),
  );
};

/** b. 100-event batches chained onto one stream, one writer: against a 100-row INSERT. */
const batchAppends = async ({ store, raw }: Sides) => {
  const values = Array.from({ length: BATCH }, (_, index) => `($${index + 1}::jsonb)`).join(', ');
  const insert = `insert into "${SCHEMA}".raw_events (payload) values ${values}`;
  return alternate(
    ROUNDS,
    () =>
      load(
        1,
        async () =>
          (
            await raw.query(
              insert,
              batchOf(BATCH).map((event) => JSON.stringify(event)),
            )
          ).rowCount ?? 0,
      ),
    (round) => {
      let expectedRevision: ExpectedRevision = 'no_stream';
      return load(1, async () => {
        ({ nextExpectedRevision: expectedRevision } = await store.appendToStream(`cart-b${round}`, batchOf(BATCH), { expectedRevision }));
        return BATCH;
      });
    },
  );
};

/** Rows like the store's own (10 events a stream), written server-side in 100k-row transactions. */
const seedEvents = async (raw: pg.Pool, count: number) => {
  const started = now();
  await raw.query(`truncate "${SCHEMA}".events restart identity`);
  for (let from = 0; from < count; from += 100_000) {
    interrupt.signal.throwIfAborted();
    await raw.query(
      `insert into "${SCHEMA}".events (stream, revision, id, type, data, metadata)
       select 'order-c' || (g / 10), g % 10, gen_random_uuid(), 'OrderPlaced',
              jsonb_set($1::jsonb, '{orderId}', to_jsonb('order-c' || (g / 10))), $2::jsonb
         from generate_series($3::bigint, $4::bigint) g`,
      [JSON.stringify(DATA), JSON.stringify(METADATA), from, Math.min(from + 100_000, count) - 1],
    );
  }
  await raw.query(`vacuum (analyze) "${SCHEMA}".events`); // hint bits set now, not during the first read
  console.log(`seeded ${count.toLocaleString('en-US')} events in ${(msSince(started) / 1000).toFixed(1)} s`);
};

interface ReadRun extends Pick<Throughput, 'perSecond'> {
  beforeBytes: number;
  peakBytes: number;
}

const timedRead = async (read: () => Promise<number>): Promise<ReadRun> => {
  const rss = sampleRss(5);
  const started = now();
  const count = await read();
  const seconds = msSince(started) / 1000;
  const { beforeBytes, peakBytes } = rss.stop();
  if (count !== READ_ALL_EVENTS) throw new Error(`read ${count} events, expected ${READ_ALL_EVENTS}: the figures would be meaningless`);
  return { perSecond: count / seconds, beforeBytes, peakBytes };
};

/** c. readAll over the seeded events against the same keyset query through raw pg, no mapping. */
const readAll = async ({ store, raw }: Sides) => {
  const query = `select transaction_id::text as tx, position, stream, revision, id::text as id, type, data, metadata, recorded_at
                   from "${SCHEMA}".events
                  where (transaction_id, position) > ($1::text::xid8, $2::bigint)
                    and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                  order by transaction_id, position limit $3`;
  const rawRead = async () => {
    let [tx, position, count] = ['0', '0', 0];
    for (;;) {
      interrupt.signal.throwIfAborted();
      const { rows } = await raw.query<{ tx: string; position: string }>(query, [tx, position, READ_BATCH]);
      count += rows.length;
      const last = rows[rows.length - 1];
      if (!last || rows.length < READ_BATCH) return count;
      [tx, position] = [last.tx, last.position];
    }
  };
  const storeRead = async () => {
    let count = 0;
    for await (const event of store.readAll({ batchSize: READ_BATCH })) {
      if (event.position % 10_000n === 0n) interrupt.signal.throwIfAborted();
      count += 1;
    }
    return count;
  };
  return alternate(
    ROUNDS,
    () => timedRead(rawRead),
    () => timedRead(storeRead),
  );
};

// ---- set-up, report, clean-up

const dropSchema = async () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    // A write still in flight can deadlock with the drop (40P01): try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`drop schema if exists "${SCHEMA}" cascade`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '40P01' || attempt === 3) throw error;
      }
    }
  } finally {
    await client.end();
  }
};

const describeSetup = async (raw: pg.Pool) => {
  const { rows } = await raw.query<{ version: string; sc: string; sb: string }>(
    `select current_setting('server_version') as version, current_setting('synchronous_commit') as sc, current_setting('shared_buffers') as sb`,
  );
  const server = rows[0];
  console.log(
    `node ${process.version}, ${os.cpus().length} cpu(s); PostgreSQL ${server?.version} (synchronous_commit=${server?.sc}, shared_buffers=${server?.sb})` +
      `\nschema ${SCHEMA}; pools of ${POOL_SIZE}; ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s a run; baseline and subject alternate, ${ROUNDS} runs each, the better counts`,
  );
};

const main = async () => {
  describeRun({
    connections: POOL_SIZE,
    warmUpMs: WARMUP_MS,
    durationMs: DURATION_MS,
    rounds: ROUNDS,
    appendBatch: BATCH,
    readAllEvents: READ_ALL_EVENTS,
    readBatch: READ_BATCH,
    appendGrouping: APPEND_GROUPING,
  });
  const raw = new pg.Pool({ connectionString: DATABASE_URL, max: POOL_SIZE });
  let store: EventStore | undefined;
  try {
    await describeSetup(raw);
    store = await createEventStore(DATABASE_URL, { schema: SCHEMA, maxConnections: POOL_SIZE });
    await raw.query(`create table "${SCHEMA}".raw_events (id bigserial primary key, payload jsonb)`);
    const sides = { store, raw };
    console.log(`event payload: ${JSON.stringify(orderPlaced()).length} bytes of JSON`);

    console.log('a. single-event appends, 8 writers …');
    const a = await singleAppends(sides);
    console.log('b. 100-event batch appends, 1 writer …');
    const b = await batchAppends(sides);
    console.log(`c. readAll of ${READ_ALL_EVENTS.toLocaleString('en-US')} events …`);
    await seedEvents(raw, READ_ALL_EVENTS);
    const c = await readAll(sides);

    const fastest = <T extends { perSecond: number }>(runs: T[]) => best(runs, (run) => run.perSecond);
    const [aStore, aRaw, bStore, bRaw, cStore, cRaw] = [
      fastest(a.subject),
      fastest(a.baseline),
      fastest(b.subject),
      fastest(b.baseline),
      fastest(c.subject),
      fastest(c.baseline),
    ];
    // Memory from the run that grew most: a leak would show in either.
    const grown = (r: ReadRun) => r.peakBytes - r.beforeBytes;
    const [cMem, cRawMem] = [best(c.subject, grown), best(c.baseline, grown)];
    const runs = (label: string, figures: { subject: Array<{ perSecond: number }>; baseline: Array<{ perSecond: number }> }) =>
      `${label}: subject ${figures.subject.map((r) => Math.round(r.perSecond)).join(' / ')}, baseline ${figures.baseline.map((r) => Math.round(r.perSecond)).join(' / ')} events/s`;
    console.log(`\nevery run: ${runs('a', a)}; ${runs('b', b)}; ${runs('c', c)}`);

    printTable('Event store (subject) against raw pg (baseline)', [
      { label: 'a. append 1 event to a new stream, 8 writers', unit: 'events/s', value: aStore.perSecond, baseline: aRaw.perSecond, target: 1.2 },
      { label: '   latency p50', unit: 'ms', value: aStore.p50Ms, baseline: aRaw.p50Ms, digits: 2 },
      { label: '   latency p99', unit: 'ms', value: aStore.p99Ms, baseline: aRaw.p99Ms, digits: 2 },
      { label: 'b. append 100-event batches to one stream, 1 writer', unit: 'events/s', value: bStore.perSecond, baseline: bRaw.perSecond, target: 0.7 },
      { label: '   latency p50 per batch', unit: 'ms', value: bStore.p50Ms, baseline: bRaw.p50Ms, digits: 2 },
      { label: '   latency p99 per batch', unit: 'ms', value: bStore.p99Ms, baseline: bRaw.p99Ms, digits: 2 },
      {
        label: `c. readAll ${READ_ALL_EVENTS.toLocaleString('en-US')} events, batches of ${READ_BATCH}`,
        unit: 'events/s',
        value: cStore.perSecond,
        baseline: cRaw.perSecond,
      },
      { label: '   RSS before the read', unit: 'MB', value: cMem.beforeBytes / MB, baseline: cRawMem.beforeBytes / MB, digits: 1 },
      { label: '   peak RSS during the read', unit: 'MB', value: cMem.peakBytes / MB, baseline: cRawMem.peakBytes / MB, digits: 1 },
      { label: '   growth, peak - before (flat if small)', unit: 'MB', value: grown(cMem) / MB, limit: 100, digits: 1 },
    ]);
  } finally {
    // Each step on its own, so a failed close still drops the schema.
    await store?.close().catch((error: unknown) => console.error('closing the store:', error));
    await raw.end().catch((error: unknown) => console.error('closing the pool:', error));
    await dropSchema().catch((error: unknown) => {
      console.error(`could not drop schema ${SCHEMA}; drop it by hand:`, error);
      process.exitCode = 1;
    });
  }
};

// Ctrl-C (the runner's process group gets it too): stop, drop the schema, exit 130.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping; schema ${SCHEMA} is dropped on the way out`);
    interrupt.abort(new Error(`stopped by ${signal}`));
  });
}

main().catch((error: unknown) => {
  console.error(interrupt.signal.aborted ? String(interrupt.signal.reason) : error);
  process.exitCode = interrupt.signal.aborted ? 130 : 1;
});
