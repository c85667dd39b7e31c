import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Producer } from 'kafkajs';
import { createEventStore, type EventStore } from '@ordo/eventstore';
import { eventsOf } from '@ordo/host/testing';
import { kafkaBus, type Bus } from '@ordo/messaging';
import { PAYMENTS_COMMANDS_TOPIC, PAYMENTS_STREAM_PREFIXES, paymentsEventSchemas, paymentStream, type PaymentsCommandMessage } from '@ordo/payments-contract';
import { knownPeers } from '@ordo/host';
import { createLogger, createMetrics, pgPoolSql } from '@ordo/runtime';
import { eventually, testScope } from '@ordo/testing';
import { paymentsServiceWith } from './service';
import { simulatedProvider, TEST_CARDS } from './simulated-provider';

// Payments' command consumer on the real broker, with its store, inbox and dead letters in
// PostgreSQL, as local mode runs it. Commands are produced straight to the topic, so the
// spec decides what arrives twice. Topics and groups are this file's own: the consumer's
// names are mapped to the scope's, so a shop running on the same broker is not disturbed.
const scope = testScope();

describe('payments on Kafka', () => {
  const provider = simulatedProvider();
  let pool: pg.Pool;
  let store: EventStore;
  let bus: Bus;
  let producer: Producer;
  let commandsTopic: string;
  const groups: string[] = [];

  /** The service's consumers on this file's topic and group names. */
  const scoped = (inner: Bus): Bus => ({
    failed: inner.failed,
    publish: (context, source) => inner.publish(context, source),
    close: () => inner.close(),
    consume: (options) => {
      const groupId = `${scope.id.replaceAll('_', '-')}-${options.groupId}`;
      groups.push(groupId);
      return inner.consume({ ...options, groupId, topics: options.topics.map((topic) => scope.topic(topic)) });
    },
  });

  beforeAll(async () => {
    await scope.db();
    commandsTopic = await scope.createTopic(PAYMENTS_COMMANDS_TOPIC);
    pool = new pg.Pool({ connectionString: scope.env.databaseUrl, max: 6 });
    store = await createEventStore(scope.env.databaseUrl, { schema: scope.schema, streamPrefixes: PAYMENTS_STREAM_PREFIXES, registry: paymentsEventSchemas });
    const sql = pgPoolSql(pool);
    bus = kafkaBus({ kafka: scope.kafka(), sql, schema: scope.schema });
    const module = await paymentsServiceWith({ provider, providerTimeoutMs: 1_000 }).create({
      store,
      bus,
      sql,
      schema: scope.schema,
      logger: createLogger({ service: 'payments', level: 'silent' }),
      clock: () => new Date(),
      anonymousCustomers: false,
      metrics: createMetrics('payments', { processMetrics: false }),
      peers: knownPeers(() => undefined, undefined),
    });
    for (const declared of module.consumers ?? []) await declared.start(scoped(bus));
    producer = scope.kafka().producer({ idempotent: true });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await bus?.close();
    await store?.close();
    await pool?.end();
    const admin = scope.kafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: groups.map((group) => `ordo.${group}.dlq`) }).catch(() => undefined);
    await admin.disconnect();
  });

  /** One delivery of a command, as the relay publishes a saga's: keyed by order id, with the message id given. */
  const deliver = (command: Omit<PaymentsCommandMessage, 'metadata'>, messageId: string = randomUUID()) =>
    producer.send({
      topic: commandsTopic,
      acks: -1,
      messages: [
        {
          key: command.data.orderId,
          value: JSON.stringify({ ...command, metadata: { correlationId: `saga-${command.data.orderId}`, causationId: messageId } }),
          headers: { 'event-id': messageId, 'message-kind': 'command', 'event-type': 'CommandIssued', 'schema-version': '1' },
        },
      ],
    });
  const authorize = (orderId: string): Omit<PaymentsCommandMessage, 'metadata'> => ({
    type: 'AuthorizePayment',
    commandId: `authorize-${orderId}`,
    data: { orderId, amountCents: 1999, currency: 'EUR', cardToken: TEST_CARDS.ok },
  });
  /** Waits for the answer to a command after the ones before it: one order's commands are handled in order. */
  const answered = (orderId: string, commandId: string) =>
    eventually(async () => (await eventsOf(store, paymentStream(orderId), { commandId })).length > 0, `the answer to ${commandId}`, { timeoutMs: 30_000 });
  const byKey = (key: string) => ({
    calls: provider.calls().filter((call) => call.idempotencyKey === key).length,
    charges: provider.charges().filter((charge) => charge.idempotencyKey === key).length,
  });

  it('charges once for an AuthorizePayment delivered twice, and again re-issued under a new message id', async () => {
    const orderId = `k-${randomUUID()}`;
    const messageId = randomUUID();
    await deliver(authorize(orderId), messageId);
    await deliver(authorize(orderId), messageId);
    await deliver(authorize(orderId));
    await deliver({ type: 'CapturePayment', commandId: `capture-${orderId}`, data: { orderId } });
    await answered(orderId, `capture-${orderId}`);

    expect((await eventsOf(store, paymentStream(orderId))).map((event) => [event.type, event.metadata.commandId])).toEqual([
      ['PaymentAuthorized', `authorize-${orderId}`],
      ['PaymentCaptured', `capture-${orderId}`],
    ]);
    expect(byKey(`authorize-${orderId}`)).toEqual({ calls: 1, charges: 1 });
    expect(byKey(`capture-${orderId}`)).toEqual({ calls: 1, charges: 1 });
  });

  it('retries an AuthorizePayment whose answer was lost between the provider and the append: one charge, one answer', async () => {
    const orderId = `k-${randomUUID()}`;
    provider.loseAnswers(1);
    await deliver(authorize(orderId));
    await answered(orderId, `authorize-${orderId}`);
    expect(await eventsOf(store, paymentStream(orderId))).toEqual([expect.objectContaining({ type: 'PaymentAuthorized' })]);
    expect(byKey(`authorize-${orderId}`)).toEqual({ calls: 2, charges: 1 });
  });
});
