import { answersTo, eventsOf, issueCommand, startTestHost, type TestHost } from '@ordo/host/testing';
import { paymentStream } from '@ordo/payments-contract';
import { eventually } from '@ordo/testing';
import { paymentsHandlers } from './application/handlers';
import { ProviderTimeout } from './application/provider';
import { paymentsServiceWith } from './service';
import { simulatedProvider, TEST_CARDS } from './simulated-provider';

// A provider on a bad day, under the bus's own retries (the same command id each time,
// so the same idempotency key): whatever fails, the money moves once and the command is
// answered once. A failure is never taken for a decline.
const TIMEOUT_MS = 300;
/** How long the card tok_hang's authorization takes: past the timeout, so payments gives up on it first. */
const HANG_MS = 800;

describe('payments when its provider fails, loses answers or hangs', () => {
  const provider = simulatedProvider({ hangMs: HANG_MS });
  let host: TestHost<'sagas'>;

  beforeAll(async () => {
    host = await startTestHost({ service: paymentsServiceWith({ provider, providerTimeoutMs: TIMEOUT_MS }), standIns: ['sagas'] });
  });
  afterEach(async () => {
    provider.recover();
    await provider.release();
  });
  afterAll(() => host?.close());

  const send = (orderId: string, type: string, data: object = {}) =>
    issueCommand(host.standIns.sagas, { target: 'payments', key: orderId, type, commandId: `${type}-${orderId}`, data: { orderId, ...data } });
  const authorize = (orderId: string) => send(orderId, 'AuthorizePayment', { amountCents: 4200, cardToken: TEST_CARDS.ok });
  const answerTo = (orderId: string, type: string) => answersTo(host.store, paymentStream(orderId), `${type}-${orderId}`);
  const byKey = (key: string) => ({
    calls: provider.calls().filter((call) => call.idempotencyKey === key).length,
    effects: provider.effects().filter((effect) => effect.idempotencyKey === key).length,
    charges: provider.charges().filter((charge) => charge.idempotencyKey === key).length,
  });

  it('retries a provider that fails twice, then answers: one charge, one answer', async () => {
    provider.failNext(2);
    await authorize('f-1');
    expect(await answerTo('f-1', 'AuthorizePayment')).toEqual([expect.objectContaining({ type: 'PaymentAuthorized' })]);
    expect(byKey('AuthorizePayment-f-1')).toEqual({ calls: 3, effects: 1, charges: 1 });
  });

  it('retries after an answer lost on its way back (a crash between the call and the append): the retry gets the first charge', async () => {
    provider.loseAnswers(1);
    await authorize('f-2');
    const [authorized] = await answerTo('f-2', 'AuthorizePayment');
    expect(byKey('AuthorizePayment-f-2')).toEqual({ calls: 2, effects: 1, charges: 1 });
    const [charge] = provider.charges().filter((effect) => effect.idempotencyKey === 'AuthorizePayment-f-2');
    expect(charge?.answer).toEqual({ approved: true, reference: (authorized?.data as { authorizationId: string }).authorizationId });

    provider.loseAnswers(1);
    await send('f-2', 'CapturePayment');
    expect(await answerTo('f-2', 'CapturePayment')).toEqual([expect.objectContaining({ type: 'PaymentCaptured' })]);
    expect(byKey('CapturePayment-f-2')).toEqual({ calls: 2, effects: 1, charges: 1 });
  });

  it('answers nothing while the provider is down, and once when it is back', async () => {
    provider.failUntilRecovered();
    await authorize('f-3');
    await eventually(() => byKey('AuthorizePayment-f-3').calls >= 3, 'three attempts');
    expect(await eventsOf(host.store, paymentStream('f-3'))).toEqual([]);

    provider.recover();
    expect(await answerTo('f-3', 'AuthorizePayment')).toEqual([expect.objectContaining({ type: 'PaymentAuthorized' })]);
    expect(byKey('AuthorizePayment-f-3')).toMatchObject({ effects: 1, charges: 1 });
  });

  it('times out a provider that hangs and retries; once it is released, exactly one charge and one answer', async () => {
    provider.hang();
    await authorize('f-4');
    // Each attempt gives up after the timeout; the consumer is not stuck: it tries again.
    await eventually(() => byKey('AuthorizePayment-f-4').calls >= 2, 'a second attempt after the first timed out', { timeoutMs: 5_000 });
    expect(await eventsOf(host.store, paymentStream('f-4'))).toEqual([]);
    expect(byKey('AuthorizePayment-f-4').effects).toBe(0);

    await provider.release();
    expect(await answerTo('f-4', 'AuthorizePayment')).toEqual([expect.objectContaining({ type: 'PaymentAuthorized' })]);
    // Every held call went through on release, under one key: one effect.
    expect(byKey('AuthorizePayment-f-4')).toMatchObject({ effects: 1, charges: 1 });
    expect(byKey('AuthorizePayment-f-4').calls).toBeGreaterThanOrEqual(2);
  });

  // The bus handles an order's commands in sequence and parks later ones behind a parked
  // one, so a void gets between the authorization it gave up on and that authorization's
  // redrive only once the parked authorization is out of the way. The attempt that times
  // out is made on payments' own handlers here; the void and the redrive come over the bus.
  it('voids by the order an authorization that lands after payments gave up on it: the provider holds nothing for the order, and the redriven authorization is declined', async () => {
    const orderId = 'f-5';
    const commandId = `AuthorizePayment-${orderId}`;
    const data = { orderId, amountCents: 4200, currency: 'EUR' as const, cardToken: TEST_CARDS.hangs };
    const attempt = paymentsHandlers({ store: host.store, provider, providerTimeoutMs: TIMEOUT_MS });
    const context = { commandId, correlationId: `saga-${orderId}`, causationId: commandId, now: new Date().toISOString() };
    await expect(attempt.authorizePayment(data, context)).rejects.toThrow(ProviderTimeout);

    await send(orderId, 'VoidPayment');
    expect(await answerTo(orderId, 'VoidPayment')).toEqual([
      expect.objectContaining({ type: 'PaymentVoided', data: expect.objectContaining({ amountCents: 0 }) }),
    ]);
    expect(provider.effects().filter((effect) => effect.idempotencyKey === `VoidPayment-${orderId}`)).toEqual([
      expect.objectContaining({ operation: 'void', answer: expect.objectContaining({ approved: true }) }),
    ]);

    // The hang ends: the provider decides the authorization only now, and declines it.
    await eventually(() => byKey(commandId).effects === 1, 'the late authorization decided', { timeoutMs: 5_000 });
    const held = provider.charges().filter((charge) => charge.orderId === orderId && charge.operation === 'authorize');
    expect(held).toEqual([]);

    await send(orderId, 'AuthorizePayment', data);
    expect(await answerTo(orderId, 'AuthorizePayment')).toEqual([
      expect.objectContaining({
        type: 'PaymentDeclined',
        data: expect.objectContaining({ reason: `the payment of order ${orderId} is voided: an order is paid once` }),
      }),
    ]);
    expect(byKey(commandId)).toMatchObject({ effects: 1, charges: 0 });
  });
});
