import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createEventStore, type EventStore } from '@ordo/eventstore';
import { HEADER, inbox, pgPoolDatabase, runConsumer, sqlDeadLetterStore } from '@ordo/messaging';
import { eventually, testScope } from '@ordo/testing';
import { checkout, cart } from '../test/checkout-saga';
import { parseIncomingEvent, sagaRunner, type CommandIssued, type IncomingEvent } from '.';

// The saga's replies come keyed by the replying aggregate (here the warehouse item, as
// inventory keys by sku), which many instances share. Sequenced by instance, a poison
// reply for one instance parks that instance alone: another instance's reply with the
// same Kafka key goes through.
const scope = testScope();
const clock = () => new Date('2030-01-01T00:00:00.000Z');
const patience = { timeoutMs: 60_000, intervalMs: 100 };

describe("the saga's reply consumer, sequenced by instance", () => {
  let pool: pg.Pool;
  let store: EventStore;
  beforeAll(async () => {
    await scope.db();
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 6 });
    store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('parks a poison reply for instance A alone, and B’s reply with the same key is applied', async () => {
    const runner = sagaRunner({ definition: checkout, store, clock });
    const start = async (cartId: string) => {
      await runner.handle({ id: randomUUID(), type: 'CartSubmitted', data: { ...cart, cartId }, metadata: { correlationId: cartId } });
      const { state } = await runner.read(cartId);
      if (state.status === 'not-started') throw new Error('not started');
    };
    const heldReply = async (cartId: string): Promise<IncomingEvent> => {
      let command: CommandIssued | undefined;
      for await (const event of store.readStream(`checkout-${cartId}`)) {
        const data = event.data as CommandIssued;
        if (event.type === 'CommandIssued' && data.line === 'pen') command = data;
      }
      if (!command) throw new Error(`no HoldItem for pen in ${cartId}`);
      return {
        id: randomUUID(),
        type: 'ItemHeld',
        data: { cartId, item: 'pen' },
        metadata: { correlationId: cartId, causationId: command.command.commandId, commandId: command.command.commandId },
      };
    };
    const [a, b] = [`cart-a-${randomUUID()}`, `cart-b-${randomUUID()}`];
    await start(a);
    await start(b);
    const replyA = await heldReply(a);
    const replyB = await heldReply(b);

    const topic = await scope.createTopic('warehouse-events', { numPartitions: 3 });
    const database = pgPoolDatabase(pool);
    const deadLetters = sqlDeadLetterStore(database, { schema: scope.schema });
    const groupId = scope.topic('checkout');
    const consumer = await runConsumer({
      kafka: scope.kafka(),
      groupId,
      topics: [topic],
      inbox: inbox(database, { schema: scope.schema }),
      deadLetters: { store: deadLetters },
      retry: { attempts: 2, initialMs: 10 },
      parse: parseIncomingEvent,
      sequenceBy: (message) => runner.sequenceOf(message.value),
      handle: async ({ value }) => {
        // The poison: a reply this version of the saga cannot handle (a bug, say).
        if (value.id === replyA.id) throw new Error('cannot handle this reply');
        await runner.handle(value);
      },
    });
    try {
      // Both replies come from the item 'pen': one Kafka key, in this order.
      const producer = scope.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.send({
        topic,
        messages: [replyA, replyB].map((reply) => ({ key: 'pen', value: JSON.stringify(reply), headers: { [HEADER.eventId]: reply.id } })),
      });
      await producer.disconnect();

      await eventually(() => replied(b), "B's reply recorded", patience);
      await eventually(async () => (await deadLetters.listParked(groupId)).length === 1, "A's reply parked", patience);
      expect((await deadLetters.listParked(groupId)).map(({ key, messages }) => ({ key, messages }))).toEqual([{ key: `checkout-${a}`, messages: 1 }]);
      expect(await replied(a)).toBe(false);
    } finally {
      await consumer.stop();
    }
  });

  /** Whether the instance recorded a reply. */
  const replied = async (cartId: string): Promise<boolean> => {
    for await (const event of store.readStream(`checkout-${cartId}`)) if (event.type === 'ReplyReceived') return true;
    return false;
  };
});
