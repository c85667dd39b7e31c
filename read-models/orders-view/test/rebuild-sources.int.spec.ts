import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { createEventStore, type EventMetadata, type EventStore } from '@ordo/eventstore';
import { kafkaBus, type Bus } from '@ordo/messaging';
import { kafkaFeed, projectionConsumer, rebuildProjection, storeFeed } from '@ordo/projections';
import { pgPoolSql, type TransactionalSql } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import { lifeOfAnOrder, ORDER_CONTEXTS, type OrderContext } from './order-lives';
import { ordersTable, scopedOrdersView } from './scoped-view';

// orders-view's rows are the same whichever way they are made: the live runner on Kafka,
// a rebuild from Kafka, and a rebuild from the contexts' stores holding the same events.
const ORDERS = 1_000;
const scope = testScope();

/** A published event as the relay writes it (eventMessageValue): what a store is given back. */
interface PublishedEvent {
  id: string;
  type: string;
  stream: string;
  revision: string;
  data: unknown;
  metadata: EventMetadata;
}

describe('orders-view rebuilt from Kafka and from the stores', () => {
  const projection = scopedOrdersView(scope);
  let pool: pg.Pool;
  const { table, completeOrders, checksum } = ordersTable(() => pool, scope.schema);
  let sql: TransactionalSql;
  let bus: Bus;
  const stores = new Map<OrderContext, EventStore>();

  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
    sql = pgPoolSql(pool);
    for (const context of ORDER_CONTEXTS) {
      await scope.createTopic(context);
      stores.set(context, await createEventStore('pglite:memory', { schema: context }));
    }
    // The same events in each context's store and on its topic, as its relay would publish them.
    const contextOf = new Map(ORDER_CONTEXTS.map((context) => [scope.topic(context), context]));
    const producer = scope.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    const at = Date.now() - ORDERS * 10;
    for (let n = 0; n < ORDERS; n++) {
      const routed = lifeOfAnOrder(n, new Date(at + n * 10), (context) => scope.topic(context));
      for (const { topic, message } of routed) {
        const event = JSON.parse(String(message.value)) as PublishedEvent;
        const revision = BigInt(event.revision);
        await stores
          .get(contextOf.get(topic) as OrderContext)
          ?.appendToStream(event.stream, [{ id: event.id, type: event.type, data: event.data, metadata: event.metadata }], {
            expectedRevision: revision === 0n ? 'no_stream' : revision - 1n,
          });
      }
      await Promise.all(routed.map(({ topic, message }) => producer.send({ topic, acks: -1, messages: [message] })));
    }
    await producer.disconnect();
    bus = kafkaBus({ kafka: scope.kafka(), sql, schema: scope.schema });
    await bus.consume(projectionConsumer(projection, { sql, schema: scope.schema }));
    await eventually(async () => (await completeOrders()) === ORDERS, `${ORDERS} orders projected live`, { timeoutMs: 120_000, intervalMs: 200 });
    await bus.close();
  }, 240_000);
  afterAll(async () => {
    for (const store of stores.values()) await store.close();
    await pool?.end();
  });

  it('gives the live rows from Kafka, twice, and from the stores, a dry run changing nothing', async () => {
    const live = await checksum();
    const { rows } = await pool.query<{ n: string }>(`select count(*)::text as n from ${table}`);
    expect(rows[0]?.n).toBe(String(ORDERS));

    for (const round of [1, 2]) {
      const rebuilt = await rebuildProjection(projection, { sql, schema: scope.schema, source: kafkaFeed({ kafka: scope.kafka() }) });
      expect({ round, events: rebuilt.events, swapped: rebuilt.swapped, diff: rebuilt.diff }).toEqual({
        round,
        events: ORDERS * 5,
        swapped: true,
        diff: { added: 0, changed: 0, removed: 0, examples: [] },
      });
      expect(await checksum()).toBe(live);
    }

    const fromStores = storeFeed(ORDER_CONTEXTS.map((context) => ({ name: context, store: stores.get(context) as EventStore, topic: scope.topic(context) })));
    const dryRun = await rebuildProjection(projection, { sql, schema: scope.schema, source: fromStores, dryRun: true });
    expect(dryRun).toMatchObject({ events: ORDERS * 5, swapped: false, diff: { added: 0, changed: 0, removed: 0 } });
    expect(await checksum()).toBe(live);
    const rebuilt = await rebuildProjection(projection, { sql, schema: scope.schema, source: fromStores });
    expect(rebuilt).toMatchObject({ events: ORDERS * 5, swapped: true, diff: { added: 0, changed: 0, removed: 0 } });
    expect(await checksum()).toBe(live);
  }, 240_000);
});
