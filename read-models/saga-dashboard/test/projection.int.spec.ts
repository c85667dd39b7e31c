import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RecordedEvent } from '@ordo/eventstore';
import { eventMessageValue, headersOf, kafkaBus, type Bus } from '@ordo/messaging';
import { kafkaFeed, projectionConsumer, rebuildProjection } from '@ordo/projections';
import { pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import { evolve, initialState, type SagaEvent, type StartedSaga } from '@ordo/saga';
import { eventually, testScope } from '@ordo/testing';
import { sagaDashboardProjection } from '../src/projection';
import { eventsOf, recordedInstances } from './fixture-events';

// The dashboard's read model from the saga topic, on a real broker and PostgreSQL: every
// instance the engine recorded becomes one row in its final state, and its history one
// row an event; a rebuild from Kafka gives the same tables.
const scope = testScope();

describe('the saga dashboard’s projection', () => {
  // Version 3's instances (earlier versions' recordings reuse their ids).
  const fixtures = recordedInstances('v3');
  const recorded: RecordedEvent[] = fixtures.flatMap((fixture) =>
    eventsOf(fixture).map((event, index) => ({
      id: randomUUID(),
      type: event.type,
      stream: event.stream,
      revision: event.revision,
      position: BigInt(index),
      data: event.data,
      metadata: { correlationId: `correlation-${fixture.instance}`, causationId: `cause-${event.id}`, schemaVersion: 1 },
      recordedAt: event.recordedAt,
    })),
  );
  let pool: pg.Pool;
  let sql: TransactionalSql;
  let bus: Bus;
  let projection: typeof sagaDashboardProjection;
  const instances = () => `"${scope.schema}".saga_instances`;
  const history = () => `"${scope.schema}".saga_history`;
  const tables = async () => ({
    instances: (await pool.query(`select saga_id, status, current_step, timeouts, retries, state from ${instances()} order by saga_id`)).rows,
    // node-pg gives a bigint as its text.
    history: (await pool.query(`select saga_id, revision, type, data, correlation_id, causation_id from ${history()} order by saga_id, revision`)).rows,
  });

  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
    sql = pgPoolSql(pool);
    const topic = await scope.createTopic('sagas');
    projection = { ...sagaDashboardProjection, topics: [topic] };
    const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: recorded.map((event) => ({ key: event.stream, value: eventMessageValue(event), headers: headersOf(event) })),
    });
    await producer.disconnect();
    bus = kafkaBus({ kafka: scope.kafka(), sql, schema: scope.schema });
    await bus.consume(projectionConsumer(projection, { sql, schema: scope.schema }));
  });
  afterAll(async () => {
    await bus?.close();
    await pool?.end();
  });

  it('makes one row an instance, in the state the engine folds, and one history row an event', async () => {
    await eventually(
      async () => (await pool.query(`select count(*)::int as n from ${history()}`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n === recorded.length,
      'every event in the history',
      {
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );
    const { instances: rows, history: events } = await tables();
    expect(rows).toHaveLength(fixtures.length);
    for (const fixture of fixtures) {
      const folded = eventsOf(fixture).reduce((state, event) => evolve(state, { type: event.type, data: event.data } as SagaEvent), initialState());
      const row = rows.find((each) => each.saga_id === fixture.instance);
      expect(row).toMatchObject({ status: (folded as StartedSaga).status, state: JSON.parse(JSON.stringify(folded)) });
      const own = events.filter((event) => event.saga_id === fixture.instance);
      expect(own.map((event) => event.type)).toEqual(eventsOf(fixture).map((event) => event.type));
      expect(own.map((event) => event.revision)).toEqual(eventsOf(fixture).map((_, revision) => String(revision)));
      expect(own.every((event) => event.correlation_id === `correlation-${fixture.instance}`)).toBe(true);
    }
    expect(rows.some((row) => row.status === 'rolled-back')).toBe(true);
    expect(rows.some((row) => row.status === 'completed')).toBe(true);
  });

  it('rebuilds from Kafka into the same tables', async () => {
    const live = await tables();
    const rebuilt = await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }) });
    expect(rebuilt).toMatchObject({ events: recorded.length, swapped: true, diff: { added: 0, changed: 0, removed: 0 } });
    expect(await tables()).toEqual(live);
  });
});
