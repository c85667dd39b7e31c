// The dashboard's queries over 100,000 instances (and their 1.5 million history events) in
// PostgreSQL: each list filter, a deep page by keyset, the counts, one instance, a history
// page, the throughput and the live poller's look, run through the service's own queries
// (src/queries.ts). Each figure is queries per second beside a primary-key lookup of the
// same table in the same run, and each plan is printed: which index served it, and whether
// any step read the instance table whole.
//
//   npm run bench -- dashboard
//   BENCH_INSTANCES=100000  BENCH_REPEATS=30
//
// The rows are the recorded instances of order placement (sagas/order-placement/fixtures/v3),
// folded by the projection's own evolve, some cut short so that every state is there,
// copied under new keys with their last changes spread over a day.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateProjection } from '@ordo/projections';
import { pgPoolSql, quoteIdentifier, type SqlClient } from '@ordo/runtime';
import { describeRun, envNumber, msSince, now, printTable, type BenchRow } from '@ordo/testing/bench';
import { evolveInstanceRow, type SagaInstanceRow } from '../src/instance-row';
import { sagaDashboardProjection } from '../src/projection';
import { dashboardQueries, type InstanceFilter } from '../src/queries';
import { eventsOf, recordedInstances } from '../test/fixture-events';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const INSTANCES = envNumber('BENCH_INSTANCES', 100_000);
const REPEATS = Math.max(3, envNumber('BENCH_REPEATS', 30));
const SCHEMA = `bench_dashboard_${randomBytes(4).toString('hex')}`;
const DAY_MS = 24 * 3_600_000;
/** A list page should cost at most this many primary-key lookups (queries per second at least this ratio). */
const LIST_TARGET = 0.1;

/** Every recorded instance, whole and cut short at a few points: every state the list filters by. */
const templates = () =>
  recordedInstances('v3').flatMap((fixture) => {
    const events = eventsOf(fixture);
    const cuts = [events.length, Math.ceil(events.length / 2), Math.ceil(events.length / 3)];
    return cuts.map((count) => {
      let row: SagaInstanceRow | null = null;
      for (const event of events.slice(0, count)) row = { ...(row ?? {}), ...evolveInstanceRow(row, event) } as SagaInstanceRow;
      return { row: row as SagaInstanceRow, events: events.slice(0, count) };
    });
  });

/** Fills the tables in SQL from the templates: new keys, last changes spread over the day before `end`. */
const fill = async (pool: pg.Pool, end: Date) => {
  const table = (name: string) => `${quoteIdentifier(SCHEMA)}.${quoteIdentifier(name)}`;
  const all = templates();
  await pool.query(`create temporary table template (i int, row jsonb)`);
  await pool.query(`create temporary table template_event (i int, revision int, type text, data jsonb)`);
  for (const [i, { row, events }] of all.entries()) {
    await pool.query(`insert into template values ($1, $2)`, [i, JSON.stringify(row)]);
    for (const [revision, event] of events.entries())
      await pool.query(`insert into template_event values ($1, $2, $3, $4)`, [i, revision, event.type, JSON.stringify(event.data ?? null)]);
  }
  // Instance g: template g mod T, key a uuid of g, last change spread back from `end`; a
  // running or compensating one waits for a wake-up 20 s after its last change (a twentieth of them stuck).
  await pool.query(
    `insert into ${table('saga_instances')} (saga_id, saga, version, business_key, correlation_id, status, current_step, step_count,
       started_at, updated_at, ended_at, next_wake_at, reason, timeouts, retries, state)
     select 'orderPlacement-' || key, t.row->>'saga', (t.row->>'version')::int, key, 'correlation-' || key, t.row->>'status',
       t.row->>'current_step', (t.row->>'step_count')::int, changed - interval '2 seconds', changed,
       case when t.row->>'ended_at' is null then null else changed end,
       case when t.row->>'next_wake_at' is null then null
            when g % 20 = 0 then changed - interval '1 hour' else $2::timestamptz + interval '20 seconds' end,
       t.row->>'reason', (t.row->>'timeouts')::int, (t.row->>'retries')::int, t.row->'state'
     from generate_series(1, $1::int) as g,
       lateral (select md5(g::text)::uuid::text as key, $2::timestamptz - (g * ($3::float / $1)) * interval '1 millisecond' as changed) as made,
       template as t where t.i = g % $4`,
    [INSTANCES, end.toISOString(), DAY_MS, all.length],
  );
  // Its history: its template's events, a tenth of a second apart from its start.
  await pool.query(
    `insert into ${table('saga_history')} (saga_id, revision, type, data, correlation_id, recorded_at)
     select 'orderPlacement-' || key, e.revision, e.type, e.data, 'correlation-' || key, changed - interval '2 seconds' + e.revision * interval '100 milliseconds'
     from generate_series(1, $1::int) as g,
       lateral (select md5(g::text)::uuid::text as key, $2::timestamptz - (g * ($3::float / $1)) * interval '1 millisecond' as changed) as made,
       template_event as e where e.i = g % $4`,
    [INSTANCES, end.toISOString(), DAY_MS, all.length],
  );
  // What autovacuum does to a table that was written: statistics, and the visibility map an index-only scan relies on.
  await pool.query(`vacuum analyze ${table('saga_instances')}`);
  await pool.query(`vacuum analyze ${table('saga_history')}`);
  return all.length;
};

/** Records the text and parameters of every query, so that each can be explained. */
const recording = (sql: SqlClient) => {
  const seen: { text: string; params: unknown[] }[] = [];
  return {
    seen,
    sql: { query: (text: string, params: unknown[] = []) => (seen.push({ text, params }), sql.query(text, params)) } as SqlClient,
  };
};

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
/** What served a query: each scan's kind and index; `whole` when it read the instance table through. */
const planOf = async (pool: pg.Pool, text: string, params: unknown[]) => {
  const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(`explain (analyze, format json) ${text}`, params);
  const [explained] = rows[0]?.['QUERY PLAN'] ?? [];
  const scans = nodesOf(explained?.Plan as PlanNode).filter((node) => node['Node Type'].includes('Scan') && node['Node Type'] !== 'Bitmap Heap Scan');
  return {
    scans: scans
      .map((node) => `${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`)
      .join(', '),
    whole: scans.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'saga_instances'),
    executionMs: explained?.['Execution Time'] ?? NaN,
  };
};

const main = async () => {
  describeRun({ instances: INSTANCES, repeats: REPEATS });
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  try {
    await pool.query(`create schema ${quoteIdentifier(SCHEMA)}`);
    await migrateProjection(pgPoolSql(pool), sagaDashboardProjection, SCHEMA);
    const end = new Date();
    const filled = now();
    const templateCount = await fill(pool, end);
    console.log(
      `filled ${INSTANCES.toLocaleString('en-US')} instances from ${templateCount} templates, with their histories, in ${(msSince(filled) / 1000).toFixed(1)} s`,
    );
    const { rows: sizes } = await pool.query<{ instances: string; history: string; events: string }>(
      `select pg_size_pretty(pg_total_relation_size('${SCHEMA}.saga_instances')) as instances, pg_size_pretty(pg_total_relation_size('${SCHEMA}.saga_history')) as history,
       (select count(*) from ${quoteIdentifier(SCHEMA)}.saga_history)::text as events`,
    );
    console.log(
      `tables: saga_instances ${sizes[0]?.instances}, saga_history ${sizes[0]?.history} (${Number(sizes[0]?.events).toLocaleString('en-US')} events)`,
    );

    const recorder = recording(pgPoolSql(pool));
    const queries = dashboardQueries(recorder.sql, SCHEMA);
    const at = new Date(end.getTime() + 60_000);
    const middle = await queries.list({}, 1, undefined, at);
    const deep = (await queries.list({}, 25, { updatedAt: new Date(end.getTime() - DAY_MS / 2).toISOString(), sagaId: 'orderPlacement-f' }, at)).at(-1);
    const sample = middle[0] as SagaInstanceRow;
    const list = (filter: InstanceFilter, after?: { updatedAt: string; sagaId: string }) => () => queries.list(filter, 25, after, at);
    const cases: [string, () => Promise<unknown>, boolean][] = [
      ['one instance by id (the baseline)', () => queries.byId(sample.saga_id), false],
      ['list: first page, no filter', list({}), true],
      ['list: a page half a day deep (keyset)', list({}, deep && { updatedAt: new Date(deep.updated_at as Date).toISOString(), sagaId: deep.saga_id }), true],
      ['list: state completed', list({ state: 'completed' }), true],
      ['list: state running (not stuck)', list({ state: 'running' }), true],
      ['list: state stuck', list({ state: 'stuck' }), true],
      ['list: state rolled-back', list({ state: 'rolled-back' }), true],
      ['list: saga and version', list({ saga: 'orderPlacement', version: 3 }), true],
      ['list: key prefix (8 characters)', list({ key: (sample.business_key ?? '').slice(0, 8) }), true],
      [
        'list: last changed in an hour, a day ago',
        list({ changedFrom: new Date(end.getTime() - DAY_MS).toISOString(), changedTo: new Date(end.getTime() - DAY_MS + 3_600_000).toISOString() }),
        true,
      ],
      ['list: failed, changed in the last 6 hours', list({ state: 'failed', changedFrom: new Date(end.getTime() - DAY_MS / 4).toISOString() }), true],
      ['counts per state', () => queries.counts(at), false],
      ['history: first 500 events of one', () => queries.history(sample.saga_id, -1n, 500), false],
      ['throughput: the last hour', () => queries.throughput(new Date(end.getTime() - 3_600_000)), false],
      ['live: changes in the last 30 s', () => queries.changedSince(new Date(end.getTime() - 30_000).toISOString(), 1_000), false],
    ];

    const rows: BenchRow[] = [];
    const plans: string[] = [];
    let baselineRate: number | undefined;
    for (const [label, run, isList] of cases) {
      await run(); // warm
      const times: number[] = [];
      for (let repeat = 0; repeat < REPEATS; repeat++) {
        const started = now();
        await run();
        times.push(msSince(started));
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)] as number;
      const rate = 1_000 / median;
      baselineRate ??= rate;
      const last = recorder.seen.at(-1) as { text: string; params: unknown[] };
      const plan = await planOf(pool, last.text, last.params);
      rows.push({
        label: `${label}: median ${median.toFixed(2)} ms`,
        unit: 'queries/s',
        value: rate,
        baseline: baselineRate,
        ...(isList && { target: LIST_TARGET }),
        digits: 0,
      });
      plans.push(`  ${label}: ${plan.scans}${plan.whole ? '  <- reads saga_instances whole' : ''} (${plan.executionMs.toFixed(2)} ms in PostgreSQL)`);
    }
    // Figures, not assertions: a list below its target is printed BELOW, a finding to fix.
    printTable(`saga dashboard queries over ${INSTANCES.toLocaleString('en-US')} instances (baseline: one instance by id)`, rows);
    console.log(`\nplans:\n${plans.join('\n')}`);
  } finally {
    await pool.query(`drop schema if exists ${quoteIdentifier(SCHEMA)} cascade`).catch(() => undefined);
    await pool.end();
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
