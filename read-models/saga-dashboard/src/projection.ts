import { rowProjection, type Projection, type ProjectedEvent, type ProjectionWriter } from '@ordo/projections';
import { quoteIdentifier } from '@ordo/runtime';
import { SAGA_EVENT_TYPES, SAGAS_EVENTS_TOPIC } from '@ordo/saga';
import { evolveInstanceRow, INSTANCE_COLUMNS, type SagaInstanceRow } from './instance-row';

export const INSTANCES_TABLE = 'saga_instances';
export const HISTORY_TABLE = 'saga_history';

const HISTORY_COLUMNS = 'saga_id, revision, type, data, correlation_id, causation_id, trace_id, recorded_at';

const SAGA_EVENT_TYPE_SET: ReadonlySet<string> = new Set(SAGA_EVENT_TYPES);

/** History rows an insert carries, at most: their JSON is one parameter. */
const HISTORY_ROWS_PER_INSERT = 5_000;

/** The events the throughput strip counts per minute: an instance started, and how it ended or stopped. */
export const MILESTONE_TYPES = ['SagaStarted', 'SagaCompleted', 'SagaRolledBack', 'SagaFailed'] as const satisfies readonly (typeof SAGA_EVENT_TYPES)[number][];

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
const traceIdOf = (traceparent: string | undefined): string | null => /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '')?.[1] ?? null;

/**
 * One row per instance of every saga (its stream's only source, `instance`: every stream of
 * the saga topic is an instance), for the dashboard's list: indexed for its filters in its
 * order, the last change first.
 */
const instances = rowProjection<SagaInstanceRow>({
  name: 'saga-dashboard',
  version: 1,
  topics: [SAGAS_EVENTS_TOPIC],
  handles: SAGA_EVENT_TYPES,
  table: INSTANCES_TABLE,
  key: 'saga_id',
  columns: (table) => {
    table.text('saga');
    table.integer('version');
    // Byte order ("C"), so that its index serves a search by prefix (LIKE 'abc%').
    table.specificType('business_key', 'text collate "C"');
    table.text('correlation_id');
    table.text('status');
    table.text('current_step');
    table.integer('step_count');
    table.timestamp('started_at', { useTz: true });
    table.timestamp('updated_at', { useTz: true });
    table.timestamp('ended_at', { useTz: true });
    table.timestamp('next_wake_at', { useTz: true });
    table.text('reason');
    table.integer('timeouts').notNullable().defaultTo(0);
    table.integer('retries').notNullable().defaultTo(0);
    table.jsonb('state');
    table.index(['updated_at', 'saga_id']);
    table.index(['status', 'updated_at', 'saga_id']);
    // No index for the saga type or version: there are a few of each, so the one above on the
    // last change finds a page of them soon, and every index costs each of the row's writes.
    table.index(['business_key']);
    // Stuck: running or compensating with a wake-up overdue.
    table.index(['status', 'next_wake_at']);
  },
  sources: { instance: { prefix: '', columns: INSTANCE_COLUMNS } },
  keyOf: (event) => event.stream,
  evolve: evolveInstanceRow,
});

/**
 * Every event of every instance, as recorded: an instance's history, commands and replies
 * with their payloads. A batch's rows go as one JSON parameter, which PostgreSQL turns into
 * the table's rows: one statement text whatever the batch's size, built without knex
 * (eight bound values an event took 17.7 ms a batch of about 340 events, this 14.9, on
 * embedded mode's one connection, docs/decisions.md).
 */
const writeHistory = async (events: ProjectedEvent[], writer: ProjectionWriter) => {
  const rows = events.map((event) => ({
    saga_id: event.stream,
    revision: event.revision.toString(),
    type: event.type,
    data: event.data ?? null,
    correlation_id: event.correlationId ?? null,
    causation_id: event.causationId ?? null,
    trace_id: traceIdOf(event.traceparent),
    recorded_at: event.recordedAt,
  }));
  const table = writer.table(HISTORY_TABLE);
  const qualified = table.split('.').map(quoteIdentifier).join('.');
  for (let first = 0; first < rows.length; first += HISTORY_ROWS_PER_INSERT) {
    // Applied twice (a redelivery, a replay in place), an event is there already.
    await writer.query(
      `insert into ${qualified} (${HISTORY_COLUMNS})
       select ${HISTORY_COLUMNS} from jsonb_populate_recordset(null::${qualified}, $1::jsonb)
       on conflict (saga_id, revision) do nothing`,
      [JSON.stringify(rows.slice(first, first + HISTORY_ROWS_PER_INSERT))],
    );
  }
};

/**
 * The saga dashboard's read model: the instances (a row projection) and their histories (one
 * row an event), from the saga services' topic. Event types a later engine adds are passed
 * over (`handles`): the engine's evolve does not know them either.
 */
export const sagaDashboardProjection: Projection = {
  ...instances,
  // An instance's events come within a second or so: gathered that long, most fold into one
  // write of its row instead of one a quarter second (its page is polled each second anyway).
  gatherMs: 1_000,
  tables: [
    ...instances.tables,
    {
      name: HISTORY_TABLE,
      create: (schema, physicalName) =>
        schema.createTable(physicalName, (table) => {
          table.text('saga_id').notNullable();
          table.bigInteger('revision').notNullable();
          table.text('type').notNullable();
          table.jsonb('data');
          table.text('correlation_id');
          table.text('causation_id');
          table.text('trace_id');
          table.timestamp('recorded_at', { useTz: true }).notNullable();
          table.primary(['saga_id', 'revision']);
          // The throughput strip: a few types over the last hour.
          table.index(['type', 'recorded_at']);
        }),
    },
  ],
  apply: async (events, writer) => {
    // `handles` passes others over by their header; one without it gets here, and the
    // engine's evolve would throw on a type it does not know.
    const known = events.filter((event) => SAGA_EVENT_TYPE_SET.has(event.type));
    if (known.length === 0) return;
    await instances.apply(known, writer);
    await writeHistory(known, writer);
  },
};
