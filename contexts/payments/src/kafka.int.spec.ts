import { randomUUID } from 'node:crypto';
import { eventsOf, startKafkaTestHost, type KafkaTestHost } from '@ordo/host/testing';
import { paymentStream, type PaymentsCommandMessage } from '@ordo/payments-contract';
import { eventually, testScope } from '@ordo/testing';
import { paymentsServiceWith } from './service';
import { simulatedProvider, TEST_CARDS } from './simulated-provider';

// Payments' command consumer on the real broker, as local mode runs it (startKafkaTestHost:
// this file's topics, groups and schema). Commands are produced straight to the topic, so
// the spec decides what arrives twice.
const scope = testScope();

describe('payments on Kafka', () => {
  const provider = simulatedProvider();
  let host: KafkaTestHost;

  beforeAll(async () => {
    host = await startKafkaTestHost({ service: paymentsServiceWith({ provider, providerTimeoutMs: 1_000 }), scope });
  });

  afterAll(() => host?.close());

  /** One delivery of a command, as the relay publishes a saga's: keyed by order id. */
  const deliver = (command: Omit<PaymentsCommandMessage, 'metadata'>) => host.deliverCommand(command.data.orderId, command);
  const authorize = (orderId: string): Omit<PaymentsCommandMessage, 'metadata'> => ({
    type: 'AuthorizePayment',
    commandId: `authorize-${orderId}`,
    data: { orderId, amountCents: 1999, currency: 'EUR', cardToken: TEST_CARDS.ok },
  });
  /** Waits for the answer to a command after the ones before it: one order's commands are handled in order. */
  const answered = (orderId: string, commandId: string) =>
    eventually(async () => (await eventsOf(host.store, paymentStream(orderId), { commandId })).length > 0, `the answer to ${commandId}`, { timeoutMs: 30_000 });
  const byKey = (key: string) => ({
    calls: provider.calls().filter((call) => call.idempotencyKey === key).length,
    charges: provider.charges().filter((charge) => charge.idempotencyKey === key).length,
  });

  it('charges once for an AuthorizePayment delivered twice, and again re-issued under a new message id', async () => {
    const orderId = `k-${randomUUID()}`;
    await host.deliverDuplicated(orderId, authorize(orderId));
    await deliver({ type: 'CapturePayment', commandId: `capture-${orderId}`, data: { orderId } });
    await answered(orderId, `capture-${orderId}`);

    expect((await eventsOf(host.store, paymentStream(orderId))).map((event) => [event.type, event.metadata.commandId])).toEqual([
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
    expect(await eventsOf(host.store, paymentStream(orderId))).toEqual([expect.objectContaining({ type: 'PaymentAuthorized' })]);
    expect(byKey(`authorize-${orderId}`)).toEqual({ calls: 2, charges: 1 });
  });
});
