import fc from 'fast-check';
import type { PaymentsEvent } from '@ordo/payments-contract';
import { deciderSpec } from '@ordo/testing';
import { ProviderAnswerNeeded } from './errors';
import { decide, evolve, initialState, paymentDecider, type PaymentCommand, type ProviderAnswer, type ProviderCall, type ProviderOperation } from './payment';

const spec = deciderSpec(paymentDecider);
const orderId = 'o-1';
const at = '2025-03-01T10:00:00.000Z';
const AMOUNT = 2500;

// ---- commands, with the provider's answer when it was asked -------------------------------
const asked = (provider?: ProviderAnswer) => ({ now: at, ...(provider && { provider }) });
const authorize = (provider?: ProviderAnswer, amountCents = AMOUNT): PaymentCommand => ({
  type: 'AuthorizePayment',
  data: { orderId, amountCents, currency: 'EUR', cardToken: 'tok_ok' },
  metadata: asked(provider),
});
const voidIt = (provider?: ProviderAnswer): PaymentCommand => ({ type: 'VoidPayment', data: { orderId }, metadata: asked(provider) });
const capture = (provider?: ProviderAnswer): PaymentCommand => ({ type: 'CapturePayment', data: { orderId }, metadata: asked(provider) });
const refund = (provider?: ProviderAnswer, reason = 'returned'): PaymentCommand => ({
  type: 'RefundPayment',
  data: { orderId, reason },
  metadata: asked(provider),
});
const cancel = (provider?: ProviderAnswer, reason = 'order cancelled'): PaymentCommand => ({
  type: 'CancelPayment',
  data: { orderId, reason },
  metadata: asked(provider),
});
const approvedBy = (operation: ProviderOperation, reference: string): ProviderAnswer => ({ operation, approved: true, reference });
const declinedBy = (operation: ProviderOperation, reason: string): ProviderAnswer => ({ operation, approved: false, reason });

// ---- events ----------------------------------------------------------------------------------
const authorized = (amountCents = AMOUNT): PaymentsEvent => ({
  type: 'PaymentAuthorized',
  data: { orderId, authorizationId: 'auth_1', amountCents, currency: 'EUR', at },
});
const declined = (reason: string, amountCents = AMOUNT): PaymentsEvent => ({
  type: 'PaymentDeclined',
  data: { orderId, amountCents, currency: 'EUR', reason, at },
});
const voided = (amountCents = AMOUNT): PaymentsEvent => ({ type: 'PaymentVoided', data: { orderId, authorizationId: 'auth_1', amountCents, at } });
const voidedNothing: PaymentsEvent = { type: 'PaymentVoided', data: { orderId, amountCents: 0, at } };
const voidRejected = (reason: string): PaymentsEvent => ({ type: 'PaymentVoidRejected', data: { orderId, reason, at } });
const captured: PaymentsEvent = { type: 'PaymentCaptured', data: { orderId, authorizationId: 'auth_1', captureId: 'cap_1', amountCents: AMOUNT, at } };
const captureFailed = (reason: string): PaymentsEvent => ({ type: 'PaymentCaptureFailed', data: { orderId, reason, at } });
const refunded = (reason = 'returned'): PaymentsEvent => ({ type: 'PaymentRefunded', data: { orderId, refundId: 'ref_1', amountCents: AMOUNT, reason, at } });
const refundRejected = (reason: string): PaymentsEvent => ({ type: 'PaymentRefundRejected', data: { orderId, reason, at } });

/** The call a command needs, by the ProviderAnswerNeeded its decision throws. */
const callNeeded = (history: PaymentsEvent[], command: PaymentCommand): ProviderCall => {
  try {
    decide(command, history.reduce(evolve, initialState()));
  } catch (error) {
    if (error instanceof ProviderAnswerNeeded) return error.call;
    throw error;
  }
  throw new Error(`${command.type} was decided without asking the provider`);
};

const AUTHORIZED = [authorized()];
const CAPTURED = [authorized(), captured];
const HISTORIES = {
  declined: [declined('the card was declined')],
  voided: [authorized(), voided()],
  'capture-failed': [authorized(), captureFailed('the authorization expired')],
  refunded: [...CAPTURED, refunded()],
};

describe('payments: one payment per order', () => {
  describe('AuthorizePayment', () => {
    it('asks the provider to authorize the amount on the card', () => {
      expect(callNeeded([], authorize())).toEqual({ operation: 'authorize', orderId, amountCents: AMOUNT, currency: 'EUR', cardToken: 'tok_ok' });
    });
    it('asks again when the answer it carries is to another call', () =>
      spec
        .given([])
        .when(authorize(approvedBy('capture', 'cap_1')))
        .thenThrows(ProviderAnswerNeeded, /needs the provider's answer to authorize/));
    it('authorizes what the provider approves', () =>
      spec
        .given([])
        .when(authorize(approvedBy('authorize', 'auth_1')))
        .then([authorized()]));
    it("declines what the provider declines, with the provider's reason", () =>
      spec
        .given([])
        .when(authorize(declinedBy('authorize', 'insufficient funds')))
        .then([declined('insufficient funds')]));
    it.each([
      ['authorized', AUTHORIZED],
      ['captured', CAPTURED],
    ])('answers a re-issued authorization of a payment %s with the authorization held, asking nothing', (_status, history) =>
      spec.given(history).when(authorize(undefined, 9999)).then([authorized()]),
    );
    it('answers a declined payment with its first reason, asking nothing', () =>
      spec
        .given(HISTORIES.declined)
        .when(authorize())
        .then([declined('the card was declined')]));
    it.each(['voided', 'capture-failed', 'refunded'] as const)('declines a payment %s: an order is paid once', (status) =>
      spec
        .given(HISTORIES[status])
        .when(authorize())
        .then([declined(`the payment of order o-1 is ${status}: an order is paid once`)]),
    );
    it('declines a payment voided before it was authorized', () =>
      spec
        .given([voidedNothing])
        .when(authorize())
        .then([declined('the payment of order o-1 is voided: an order is paid once')]));
  });

  describe('VoidPayment', () => {
    it('asks the provider to void the authorization', () => {
      expect(callNeeded(AUTHORIZED, voidIt())).toEqual({ operation: 'void', orderId, authorizationId: 'auth_1', amountCents: AMOUNT });
    });
    it('voids what the provider voids', () =>
      spec
        .given(AUTHORIZED)
        .when(voidIt(approvedBy('void', 'void_1')))
        .then([voided()]));
    it('answers a refusal of the provider with its reason', () =>
      spec
        .given(AUTHORIZED)
        .when(voidIt(declinedBy('void', 'no authorization auth_1')))
        .then([voidRejected('no authorization auth_1')]));
    it('voids the hold of a payment whose capture failed', () =>
      spec
        .given(HISTORIES['capture-failed'])
        .when(voidIt(approvedBy('void', 'void_1')))
        .then([voided()]));
    it('asks the provider to void by the order alone a payment never authorized: an authorization that timed out may yet land there', () => {
      expect(callNeeded([], voidIt())).toEqual({ operation: 'void', orderId, amountCents: 0 });
    });
    it('closes a payment never authorized once the provider voided by the order, with nothing voided here', () =>
      spec
        .given([])
        .when(voidIt(approvedBy('void', 'void_1')))
        .then([voidedNothing]));
    it('leaves a payment never authorized open when the provider refuses to void by the order, with its reason', () => {
      spec
        .given([])
        .when(voidIt(declinedBy('void', 'an authorization of the order was captured: refund it instead')))
        .then([voidRejected('an authorization of the order was captured: refund it instead')]);
      spec
        .given([voidRejected('no')])
        .when(authorize(approvedBy('authorize', 'auth_1')))
        .then([authorized()]);
    });
    it('answers for a declined payment that there was nothing to void, asking nothing', () =>
      spec.given(HISTORIES.declined).when(voidIt()).then([voidedNothing]));
    it('answers a second void with the first', () => {
      spec.given(HISTORIES.voided).when(voidIt()).then([voided()]);
      spec.given([voidedNothing]).when(voidIt()).then([voidedNothing]);
    });
    it.each(['captured', 'refunded'] as const)('refuses a payment %s: it is refunded, not voided', (status) =>
      spec
        .given(status === 'captured' ? CAPTURED : HISTORIES.refunded)
        .when(voidIt())
        .then([voidRejected(`the payment of order o-1 is ${status}: it is refunded, not voided`)]),
    );
  });

  describe('CapturePayment', () => {
    it('asks the provider to capture the amount authorized', () => {
      expect(callNeeded(AUTHORIZED, capture())).toEqual({ operation: 'capture', orderId, authorizationId: 'auth_1', amountCents: AMOUNT });
    });
    it('captures what the provider captures', () =>
      spec
        .given(AUTHORIZED)
        .when(capture(approvedBy('capture', 'cap_1')))
        .then([captured]));
    it("fails, for good, with the provider's reason", () =>
      spec
        .given(AUTHORIZED)
        .when(capture(declinedBy('capture', 'the authorization expired')))
        .then([captureFailed('the authorization expired')]));
    it('tries again after a failed capture, when asked under a new command id', () =>
      spec
        .given(HISTORIES['capture-failed'])
        .when(capture(approvedBy('capture', 'cap_1')))
        .then([captured]));
    it('answers a second capture with the first, asking nothing', () => spec.given(CAPTURED).when(capture()).then([captured]));
    it('fails for an order without a payment', () =>
      spec
        .given([])
        .when(capture())
        .then([captureFailed('order o-1 has no payment: there is no authorization to capture')]));
    it.each(['declined', 'voided', 'refunded'] as const)('fails for a payment %s, asking nothing', (status) =>
      spec
        .given(HISTORIES[status])
        .when(capture())
        .then([captureFailed(`the payment of order o-1 is ${status}: there is no authorization to capture`)]),
    );
  });

  describe('RefundPayment', () => {
    it('asks the provider to refund the amount captured, with the reason', () => {
      expect(callNeeded(CAPTURED, refund())).toEqual({ operation: 'refund', orderId, captureId: 'cap_1', amountCents: AMOUNT, reason: 'returned' });
    });
    it('refunds what the provider refunds', () =>
      spec
        .given(CAPTURED)
        .when(refund(approvedBy('refund', 'ref_1')))
        .then([refunded()]));
    it('answers a refusal of the provider with its reason', () =>
      spec
        .given(CAPTURED)
        .when(refund(declinedBy('refund', 'the capture was refunded already')))
        .then([refundRejected('the capture was refunded already')]));
    it('answers a second refund with the first and its reason, asking nothing', () =>
      spec
        .given(HISTORIES.refunded)
        .when(refund(undefined, 'another reason'))
        .then([refunded('returned')]));
    it('refuses an order without a payment', () =>
      spec
        .given([])
        .when(refund())
        .then([refundRejected('order o-1 has no payment: only a captured payment is refunded')]));
    it.each([
      ['authorized', AUTHORIZED],
      ['declined', HISTORIES.declined],
      ['voided', HISTORIES.voided],
      ['capture-failed', HISTORIES['capture-failed']],
    ])('refuses a payment %s: only a captured payment is refunded', (status, history) =>
      spec
        .given(history)
        .when(refund())
        .then([refundRejected(`the payment of order o-1 is ${status}: only a captured payment is refunded`)]),
    );
  });

  describe('CancelPayment', () => {
    it('voids a payment only authorized: the capture has not come', () => {
      expect(callNeeded(AUTHORIZED, cancel())).toEqual({ operation: 'void', orderId, authorizationId: 'auth_1', amountCents: AMOUNT });
      spec
        .given(AUTHORIZED)
        .when(cancel(approvedBy('void', 'void_1')))
        .then([voided()]);
    });
    it('refunds a captured payment, with the cancellation’s reason', () => {
      expect(callNeeded(CAPTURED, cancel())).toEqual({ operation: 'refund', orderId, captureId: 'cap_1', amountCents: AMOUNT, reason: 'order cancelled' });
      spec
        .given(CAPTURED)
        .when(cancel(approvedBy('refund', 'ref_1')))
        .then([refunded('order cancelled')]);
    });
    it('closes a payment never authorized, voided at the provider by the order, so a late authorization is declined', () => {
      expect(callNeeded([], cancel())).toEqual({ operation: 'void', orderId, amountCents: 0 });
      spec
        .given([])
        .when(cancel(approvedBy('void', 'void_1')))
        .then([voidedNothing]);
      spec
        .given([voidedNothing])
        .when(authorize())
        .then([declined('the payment of order o-1 is voided: an order is paid once')]);
    });
    it('answers as the earlier void or refund did, asking nothing', () => {
      spec.given(HISTORIES.voided).when(cancel()).then([voided()]);
      spec
        .given(HISTORIES.refunded)
        .when(cancel())
        .then([refunded('returned')]);
    });
    it('answers a refusal of the provider with its reason', () => {
      spec
        .given(AUTHORIZED)
        .when(cancel(declinedBy('void', 'the authorization expired')))
        .then([voidRejected('the authorization expired')]);
      spec
        .given(CAPTURED)
        .when(cancel(declinedBy('refund', 'the card was closed')))
        .then([refundRejected('the card was closed')]);
    });
    it('leaves a capture that comes after it nothing to take, asking no provider', () =>
      spec
        .given([authorized(), voided()])
        .when(capture())
        .then([captureFailed('the payment of order o-1 is voided: there is no authorization to capture')]));
  });

  describe('evolve', () => {
    const stateAfter = (events: PaymentsEvent[]) => events.reduce(evolve, initialState());

    it('starts with no payment', () => expect(initialState()).toEqual({ status: 'none' }));
    it('follows a payment from authorization to refund', () => {
      expect(stateAfter(AUTHORIZED)).toEqual({ status: 'authorized', authorizationId: 'auth_1', amountCents: AMOUNT, currency: 'EUR', at });
      expect(stateAfter(CAPTURED)).toMatchObject({ status: 'captured', captureId: 'cap_1' });
      expect(stateAfter(HISTORIES.refunded)).toEqual({
        status: 'refunded',
        authorizationId: 'auth_1',
        captureId: 'cap_1',
        refundId: 'ref_1',
        amountCents: AMOUNT,
        currency: 'EUR',
        reason: 'returned',
        at,
      });
    });
    it('keeps the reason a capture failed, and drops it once captured', () => {
      expect(stateAfter(HISTORIES['capture-failed'])).toMatchObject({ status: 'capture-failed', reason: 'the authorization expired' });
      expect(stateAfter([...HISTORIES['capture-failed'], captured])).not.toHaveProperty('reason');
    });
    it('changes nothing on a repeated answer or a refusal', () => {
      for (const history of [AUTHORIZED, CAPTURED, HISTORIES.refunded, HISTORIES.voided, HISTORIES.declined]) {
        const before = stateAfter(history);
        for (const again of [history.at(-1) as PaymentsEvent, voidRejected('no'), refundRejected('no')]) expect(evolve(before, again)).toBe(before);
      }
    });
    it('closes a payment voided before anything was authorized', () => {
      expect(stateAfter([voidedNothing])).toEqual({ status: 'voided', amountCents: 0, at });
      expect(stateAfter([voidedNothing, authorized()])).toEqual({ status: 'voided', amountCents: 0, at });
    });
  });

  describe('over any sequence of commands and provider answers', () => {
    const command = fc.constantFrom<(provider?: ProviderAnswer) => PaymentCommand>(authorize, voidIt, capture, refund, cancel);
    const answered = fc.record({ approved: fc.boolean(), reference: fc.constantFrom('auth_1', 'cap_1', 'ref_1', 'void_1') });

    it('answers every command with one event, asks the provider at most once a command, and moves money at most once', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(command, answered), { maxLength: 30 }), (steps) => {
          let state = initialState();
          const approvals: string[] = [];
          for (const [make, { approved, reference }] of steps) {
            let events: PaymentsEvent[];
            try {
              events = decide(make(), state);
            } catch (error) {
              if (!(error instanceof ProviderAnswerNeeded)) throw error;
              const { operation } = error.call;
              const answer = approved ? approvedBy(operation, reference) : declinedBy(operation, 'no');
              if (approved) approvals.push(operation);
              events = decide(make(answer), state);
            }
            expect(events).toHaveLength(1);
            state = events.reduce(evolve, state);
          }
          for (const operation of ['authorize', 'void', 'capture', 'refund'])
            expect(approvals.filter((approval) => approval === operation).length).toBeLessThanOrEqual(1);
        }),
        { numRuns: 500 },
      );
    });
  });
});
