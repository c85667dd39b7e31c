import { eventIdFor, type RecordedEvent } from '@ordo/eventstore';
import { answersTo, eventsOf, issueCommand, startTestHost, type TestHost, parkedKeys } from '@ordo/host/testing';
import { paymentStream, type PaymentsCommandMessage } from '@ordo/payments-contract';
import { paymentsServiceWith } from './service';
import { simulatedProvider, TEST_CARDS } from './simulated-provider';

// Payments as the host mounts it in embedded mode, on a simulated provider the spec can
// count charges on. Commands reach it the way the saga sends them: a CommandIssued in a
// stand-in 'sagas' store, routed to `ordo.payments.commands`, keyed by order id.
const NOW = '2025-03-01T10:00:00.000Z';
const LIMIT = 100_000;
type Card = { commandId?: string; amountCents?: number; cardToken?: string };

describe('payments, commanded on the embedded bus', () => {
  const provider = simulatedProvider({ declineOverCents: LIMIT });
  let host: TestHost<'sagas'>;

  beforeAll(async () => {
    host = await startTestHost({ service: paymentsServiceWith({ provider }), standIns: ['sagas'], clock: () => new Date(NOW) });
  });
  afterAll(() => host?.close());

  // ---- helpers ------------------------------------------------------------------------
  /** A well-formed command, typed by the contract as the saga types what it sends, keyed by its order. */
  const send = ({ type, commandId, data }: Omit<PaymentsCommandMessage, 'metadata'>) =>
    issueCommand(host.standIns.sagas, { target: 'payments', key: data.orderId, type, commandId, data });
  const authorize = (orderId: string, { commandId = `authorize-${orderId}`, amountCents = 2500, cardToken = TEST_CARDS.ok }: Card = {}) =>
    send({ type: 'AuthorizePayment', commandId, data: { orderId, amountCents, currency: 'EUR', cardToken } });
  const voidIt = (orderId: string, commandId = `void-${orderId}`) => send({ type: 'VoidPayment', commandId, data: { orderId } });
  const capture = (orderId: string, commandId = `capture-${orderId}`) => send({ type: 'CapturePayment', commandId, data: { orderId } });
  const refund = (orderId: string, commandId = `refund-${orderId}`) => send({ type: 'RefundPayment', commandId, data: { orderId, reason: 'returned' } });
  const cancel = (orderId: string, commandId = `cancel-${orderId}`) => send({ type: 'CancelPayment', commandId, data: { orderId, reason: 'order cancelled' } });

  /** The one event answering a command, once it is there. */
  const answerTo = async (orderId: string, commandId: string): Promise<RecordedEvent> => {
    const answers = await answersTo(host.store, paymentStream(orderId), commandId);
    expect(answers).toHaveLength(1);
    return answers[0] as RecordedEvent;
  };
  const byKey = (key: string) => ({
    calls: provider.calls().filter((call) => call.idempotencyKey === key).length,
    charges: provider.charges().filter((charge) => charge.idempotencyKey === key).length,
  });

  // ---- AuthorizePayment ---------------------------------------------------------------
  it("authorizes on AuthorizePayment, answering with the command's ids and recording no card token", async () => {
    await authorize('o-1');
    const answer = await answerTo('o-1', 'authorize-o-1');
    expect(answer).toMatchObject({
      type: 'PaymentAuthorized',
      data: { orderId: 'o-1', authorizationId: expect.stringMatching(/^auth_/), amountCents: 2500, currency: 'EUR', at: NOW },
      metadata: { commandId: 'authorize-o-1', causationId: 'authorize-o-1', correlationId: 'saga-o-1', schemaVersion: 1 },
    });
    expect(answer.id).toBe(eventIdFor('authorize-o-1', 0));
    expect(byKey('authorize-o-1')).toEqual({ calls: 1, charges: 1 });
    const recorded = (await eventsOf(host.store, paymentStream('o-1'))).map(({ data, metadata }) => ({ data, metadata }));
    expect(JSON.stringify(recorded)).not.toContain(TEST_CARDS.ok);
  });

  it('answers the same command issued twice once: one provider call, one charge, one event', async () => {
    await authorize('o-2', { commandId: 'authorize-o-2-twice' });
    await authorize('o-2', { commandId: 'authorize-o-2-twice' });
    // One order's commands are handled in order: once this is answered, so are both before it.
    await voidIt('o-2');
    await answerTo('o-2', 'void-o-2');
    expect(await eventsOf(host.store, paymentStream('o-2'), { commandId: 'authorize-o-2-twice' })).toHaveLength(1);
    expect(byKey('authorize-o-2-twice')).toEqual({ calls: 1, charges: 1 });
  });

  it('answers a re-issued authorization (another command id) with the one held, charging nothing more', async () => {
    await authorize('o-1', { commandId: 'authorize-o-1-again' });
    const again = await answerTo('o-1', 'authorize-o-1-again');
    const first = await answerTo('o-1', 'authorize-o-1');
    expect(again.data).toEqual(first.data);
    expect(byKey('authorize-o-1-again')).toEqual({ calls: 0, charges: 0 });
  });

  it.each([
    ['a declined card', { cardToken: TEST_CARDS.declined }, 'the card was declined'],
    ['insufficient funds', { cardToken: TEST_CARDS.insufficientFunds }, 'insufficient funds'],
    ['an amount over the limit', { amountCents: LIMIT + 1 }, `${LIMIT + 1} cents is over the limit of ${LIMIT} cents`],
  ])('declines %s by the provider rules: an answering event, no charge', async (what, card, reason) => {
    const orderId = `declined-${what.replaceAll(' ', '-')}`;
    await authorize(orderId, card);
    expect(await answerTo(orderId, `authorize-${orderId}`)).toMatchObject({ type: 'PaymentDeclined', data: { orderId, reason, at: NOW } });
    expect(byKey(`authorize-${orderId}`)).toEqual({ calls: 1, charges: 0 });
  });

  // ---- VoidPayment --------------------------------------------------------------------
  it('voids an authorized payment through the provider', async () => {
    await authorize('o-3');
    await voidIt('o-3');
    const { data: authorized } = await answerTo('o-3', 'authorize-o-3');
    expect(await answerTo('o-3', 'void-o-3')).toMatchObject({
      type: 'PaymentVoided',
      data: { orderId: 'o-3', authorizationId: (authorized as { authorizationId: string }).authorizationId, amountCents: 2500 },
    });
    expect(provider.effects().filter((effect) => effect.idempotencyKey === 'void-o-3')).toEqual([expect.objectContaining({ operation: 'void' })]);
  });

  it("answers a void of an order never authorized with nothing voided, voiding at the provider by the order's reference, and declines a later authorization without it", async () => {
    await voidIt('o-4');
    const voided = await answerTo('o-4', 'void-o-4');
    expect(voided).toMatchObject({ type: 'PaymentVoided', data: { orderId: 'o-4', amountCents: 0 } });
    expect(voided.data).not.toHaveProperty('authorizationId');
    expect(provider.effects().filter((effect) => effect.idempotencyKey === 'void-o-4')).toEqual([
      expect.objectContaining({ operation: 'void', orderId: 'o-4', amountCents: 0, answer: expect.objectContaining({ approved: true }) }),
    ]);
    await authorize('o-4');
    expect(await answerTo('o-4', 'authorize-o-4')).toMatchObject({
      type: 'PaymentDeclined',
      data: { reason: 'the payment of order o-4 is voided: an order is paid once' },
    });
    expect(byKey('authorize-o-4').calls).toBe(0);
  });

  // ---- CapturePayment and RefundPayment -------------------------------------------------
  it('captures, then refunds, an authorized payment', async () => {
    await authorize('o-5');
    await capture('o-5');
    await refund('o-5');
    const captured = await answerTo('o-5', 'capture-o-5');
    expect(captured).toMatchObject({ type: 'PaymentCaptured', data: { orderId: 'o-5', captureId: expect.stringMatching(/^cap_/), amountCents: 2500 } });
    expect(await answerTo('o-5', 'refund-o-5')).toMatchObject({
      type: 'PaymentRefunded',
      data: { orderId: 'o-5', refundId: expect.stringMatching(/^ref_/), amountCents: 2500, reason: 'returned' },
    });
    expect(byKey('capture-o-5')).toEqual({ calls: 1, charges: 1 });
  });

  it('answers a capture the provider refuses for good with PaymentCaptureFailed', async () => {
    await authorize('o-6', { cardToken: TEST_CARDS.expiresBeforeCapture });
    await capture('o-6');
    expect(await answerTo('o-6', 'capture-o-6')).toMatchObject({ type: 'PaymentCaptureFailed', data: { orderId: 'o-6', reason: 'the authorization expired' } });
  });

  it('answers a capture and a refund of an order never authorized with refusals, without the provider', async () => {
    await capture('o-7');
    await refund('o-7');
    expect(await answerTo('o-7', 'capture-o-7')).toMatchObject({ type: 'PaymentCaptureFailed', data: { reason: expect.stringMatching(/no payment/) } });
    expect(await answerTo('o-7', 'refund-o-7')).toMatchObject({ type: 'PaymentRefundRejected', data: { reason: expect.stringMatching(/only a captured/) } });
    expect(byKey('capture-o-7').calls + byKey('refund-o-7').calls).toBe(0);
  });

  it('refuses to refund a payment authorized but not captured, and to void a captured one', async () => {
    await refund('o-3', 'refund-o-3');
    await capture('o-1');
    await voidIt('o-1', 'void-o-1');
    expect(await answerTo('o-3', 'refund-o-3')).toMatchObject({ type: 'PaymentRefundRejected', data: { reason: expect.stringMatching(/is voided/) } });
    expect(await answerTo('o-1', 'void-o-1')).toMatchObject({ type: 'PaymentVoidRejected', data: { reason: expect.stringMatching(/is captured/) } });
  });

  // ---- CancelPayment: a cancelled order holds no money at the provider ----------------------
  /** What the provider holds on the order's card (authorized, neither voided nor captured) and has taken from it (captured, not refunded). */
  const moneyOf = (orderId: string) => {
    const approved = (operation: string) =>
      provider
        .effects()
        .filter((effect) => effect.orderId === orderId && effect.operation === operation && effect.answer.approved)
        .reduce((sum, effect) => sum + effect.amountCents, 0);
    return { held: approved('authorize') - approved('void') - approved('capture'), taken: approved('capture') - approved('refund') };
  };

  it('cancels a payment only authorized by voiding it; a capture that comes after it takes nothing and asks no provider', async () => {
    await authorize('c-1');
    await cancel('c-1');
    await capture('c-1');
    expect(await answerTo('c-1', 'cancel-c-1')).toMatchObject({ type: 'PaymentVoided', data: { orderId: 'c-1', amountCents: 2500 } });
    expect(await answerTo('c-1', 'capture-c-1')).toMatchObject({ type: 'PaymentCaptureFailed', data: { reason: expect.stringMatching(/is voided/) } });
    expect(byKey('capture-c-1').calls).toBe(0);
    expect(moneyOf('c-1')).toEqual({ held: 0, taken: 0 });
  });

  it('cancels a captured payment by refunding it, with the cancellation’s reason', async () => {
    await authorize('c-2');
    await capture('c-2');
    await cancel('c-2');
    expect(await answerTo('c-2', 'cancel-c-2')).toMatchObject({
      type: 'PaymentRefunded',
      data: { orderId: 'c-2', amountCents: 2500, reason: 'order cancelled' },
    });
    expect(moneyOf('c-2')).toEqual({ held: 0, taken: 0 });
    // The money moved: it was taken, then given back.
    expect(byKey('capture-c-2')).toEqual({ calls: 1, charges: 1 });
  });

  it("closes a payment never authorized, voiding at the provider by the order's reference", async () => {
    await cancel('c-3');
    expect(await answerTo('c-3', 'cancel-c-3')).toMatchObject({ type: 'PaymentVoided', data: { orderId: 'c-3', amountCents: 0 } });
    expect(provider.effects().filter((effect) => effect.idempotencyKey === 'cancel-c-3')).toEqual([
      expect.objectContaining({ operation: 'void', orderId: 'c-3', amountCents: 0, answer: expect.objectContaining({ approved: true }) }),
    ]);
    expect(moneyOf('c-3')).toEqual({ held: 0, taken: 0 });
  });

  // ---- what it cannot take ----------------------------------------------------------------
  it('parks a command it cannot take, or one keyed by another order, and goes on with other orders', async () => {
    await issueCommand(host.standIns.sagas, { target: 'payments', key: 'o-bad', type: 'ChargeCard', commandId: 'charge-1', data: { orderId: 'o-bad' } });
    await issueCommand(host.standIns.sagas, {
      target: 'payments',
      key: 'o-odd',
      type: 'AuthorizePayment',
      commandId: 'odd-1',
      data: { orderId: 'o-odd', amountCents: 0 },
    });
    await issueCommand(host.standIns.sagas, {
      target: 'payments',
      key: 'o-elsewhere',
      type: 'VoidPayment',
      commandId: 'misrouted-1',
      data: { orderId: 'o-8' },
    });
    await authorize('o-9');
    await answerTo('o-9', 'authorize-o-9');

    const parked = await parkedKeys(host, 'payments-commands', ['o-bad', 'o-odd', 'o-elsewhere']);
    expect(parked).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'o-bad', firstError: expect.stringMatching(/not 'ChargeCard'/) }),
        expect.objectContaining({ key: 'o-odd', firstError: expect.stringMatching(/amountCents/) }),
        expect.objectContaining({ key: 'o-elsewhere', firstError: expect.stringMatching(/keyed by 'o-elsewhere'/) }),
      ]),
    );
    expect(await eventsOf(host.store, paymentStream('o-8'))).toEqual([]);
  });
});
