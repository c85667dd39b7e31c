import pg from 'pg';
import { createEventStore, eventIdFor } from '@ordo/eventstore';
import { eventually, testScope } from '@ordo/testing';
import { readTopics } from '../../test/topic-messages';
import { sqlCheckpointStore } from '../checkpoints';
import { inbox, pgPoolDatabase } from '../consumer/inbox';
import { runConsumer } from '../consumer/runner';
import { HEADER, messageIdOf } from '../headers';
import { startRelay } from './relay';
import { contextRouting, type Routing } from './routing';

const scope = testScope();

describe('the two messages of a CommandIssued event', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 4 });
  });
  afterAll(async () => pool.end());

  it('carry ids of their own and their kind, so a consumer of both topics handles both', async () => {
    const eventsTopic = await scope.createTopic('saga-events');
    const commandsTopic = await scope.createTopic('stock-commands');
    // The saga context's routing, onto this file's topics.
    const topicOf: Record<string, string> = { 'ordo.saga.events': eventsTopic, 'ordo.stock.commands': commandsTopic };
    const routing: Routing = (event) => contextRouting('saga')(event).map((route) => ({ ...route, topic: topicOf[route.topic] ?? route.topic }));

    const store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
    const issued = {
      id: eventIdFor('saga-1-reserve', 0),
      type: 'CommandIssued',
      data: { target: 'stock', aggregateId: 'MUG-001', command: { type: 'ReserveStock', commandId: 'saga-1-reserve', data: { quantity: 2 } } },
      metadata: { correlationId: 'order-1', causationId: 'order-1', schemaVersion: 1 },
    };
    await store.appendToStream('saga-1', [issued], { expectedRevision: 'any' });
    const relay = await startRelay({
      name: 'saga-relay',
      store,
      kafka: scope.kafka(),
      routing,
      checkpoints: sqlCheckpointStore(pool, { schema: scope.schema }),
    });

    const [event, command] = ['event', 'command'].map((kind) => ({ kind, id: messageIdOf(issued, kind === 'event' ? 'event' : 'command') }));
    const messages = await readTopics(scope.kafka(), [eventsTopic, commandsTopic], (read) => read.length >= 2);
    expect(messages.find((message) => message.topic === eventsTopic)?.headers).toMatchObject({
      [HEADER.eventId]: issued.id,
      [HEADER.messageKind]: 'event',
      [HEADER.eventType]: 'CommandIssued',
    });
    const commandMessage = messages.find((message) => message.topic === commandsTopic);
    expect(commandMessage?.headers).toMatchObject({ [HEADER.eventId]: command?.id, [HEADER.messageKind]: 'command', [HEADER.correlationId]: 'order-1' });
    expect(command?.id).not.toBe(event?.id);
    expect(command?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(JSON.parse(commandMessage?.value ?? '')).toEqual(issued.data.command);

    // One consumer of both topics, deduplicating by the id header through its inbox.
    const database = pgPoolDatabase(pool);
    const handled: string[] = [];
    const runner = await runConsumer({
      kafka: scope.kafka(),
      groupId: scope.topic('both'),
      topics: [eventsTopic, commandsTopic],
      inbox: inbox(database, { schema: scope.schema }),
      handle: async (message) => {
        handled.push(message.topic);
      },
    });
    try {
      await eventually(() => handled.length >= 2, 'both messages handled', { timeoutMs: 30_000, intervalMs: 50 });
    } finally {
      await runner.stop();
      await relay.stop();
      await store.close();
    }
    expect(handled.sort()).toEqual([eventsTopic, commandsTopic].sort());
  });
});
