// One payment per order (stream `payment-<orderId>`) as a decider: three pure functions.
// Time, and the payment provider's answer once it was asked, arrive in the command's
// metadata; nothing here reads a clock or calls the provider. A command's shape (a
// positive whole amount of cents, a currency payments takes, a card token and a reason
// within their lengths) is the contract's schema's, checked where the command arrives
// (messaging.ts parks what fails it), and not again here.
import type { AuthorizePayment, CancelPayment, CapturePayment, PaymentsEvent, RefundPayment, VoidPayment } from '@ordo/payments-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { ProviderAnswerNeeded } from './errors';

/** What a rule asks the provider; the handler adds the idempotency key, which is the command's id. */
export type ProviderCall =
  | { operation: 'authorize'; orderId: string; amountCents: number; currency: string; cardToken: string }
  | { operation: 'capture'; orderId: string; authorizationId: string; amountCents: number }
  /** Without `authorizationId`: void whatever the provider authorized for the order, and decline what it is asked later (by our reference, the order id). */
  | { operation: 'void'; orderId: string; authorizationId?: string; amountCents: number }
  | { operation: 'refund'; orderId: string; captureId: string; amountCents: number; reason: string };

export type ProviderOperation = ProviderCall['operation'];

/** Approved with the provider's reference (its authorization, capture, void or refund id), or declined with why. */
export type ProviderResult = { approved: true; reference: string } | { approved: false; reason: string };

/** The provider's answer to a call, as a fact of the command that needed it. */
export type ProviderAnswer = { operation: ProviderOperation } & ProviderResult;

type Asked = { provider?: ProviderAnswer };

export type PaymentCommand =
  | Command<'AuthorizePayment', AuthorizePayment, Asked>
  | Command<'VoidPayment', VoidPayment, Asked>
  | Command<'CapturePayment', CapturePayment, Asked>
  | Command<'RefundPayment', RefundPayment, Asked>
  | Command<'CancelPayment', CancelPayment, Asked>;

/** An authorization the provider approved; `at` is when the payment last changed. */
interface Held {
  authorizationId: string;
  amountCents: number;
  currency: string;
  at: string;
}

export type Payment =
  | { status: 'none' }
  | { status: 'declined'; amountCents: number; currency: string; reason: string; at: string }
  | ({ status: 'authorized' } & Held)
  | ({ status: 'capture-failed'; reason: string } & Held)
  | ({ status: 'captured'; captureId: string } & Held)
  | ({ status: 'refunded'; captureId: string; refundId: string; reason: string } & Held)
  /** Without an authorization when voided before anything was authorized: the payment is closed all the same. */
  | { status: 'voided'; authorizationId?: string; amountCents: number; currency?: string; at: string };

export const initialState = (): Payment => ({ status: 'none' });

/** Whether the provider holds money for the order that is neither captured nor released. */
const holding = (state: Payment): state is Extract<Payment, { status: 'authorized' | 'capture-failed' }> =>
  state.status === 'authorized' || state.status === 'capture-failed';

// A repeated answer (a re-issued command, or a refusal) changes nothing: each case guards on the status it leaves.
export const evolve = (state: Payment, event: PaymentsEvent): Payment => {
  const { at } = event.data;
  switch (event.type) {
    case 'PaymentAuthorized': {
      if (state.status !== 'none') return state;
      const { authorizationId, amountCents, currency } = event.data;
      return { status: 'authorized', authorizationId, amountCents, currency, at };
    }
    case 'PaymentDeclined': {
      if (state.status !== 'none') return state;
      const { amountCents, currency, reason } = event.data;
      return { status: 'declined', amountCents, currency, reason, at };
    }
    case 'PaymentVoided':
      if (state.status === 'none') return { status: 'voided', amountCents: 0, at };
      if (!holding(state)) return state;
      return { status: 'voided', authorizationId: state.authorizationId, amountCents: state.amountCents, currency: state.currency, at };
    case 'PaymentCaptured': {
      if (!holding(state)) return state;
      const { authorizationId, amountCents, currency } = state;
      return { status: 'captured', authorizationId, amountCents, currency, captureId: event.data.captureId, at };
    }
    case 'PaymentCaptureFailed':
      return holding(state) ? { ...state, status: 'capture-failed', reason: event.data.reason, at } : state;
    case 'PaymentRefunded':
      return state.status === 'captured' ? { ...state, status: 'refunded', refundId: event.data.refundId, reason: event.data.reason, at } : state;
    case 'PaymentVoidRejected':
    case 'PaymentRefundRejected':
      return state;
    default: {
      const unknown: never = event;
      throw new Error(`unknown payments event ${JSON.stringify(unknown)}`);
    }
  }
};

/** The provider's answer to `call`, which the command must carry; else the handler is told to ask for it. */
const answerTo = (command: PaymentCommand, call: ProviderCall): ProviderResult => {
  const answer = command.metadata.provider;
  if (!answer || answer.operation !== call.operation) throw new ProviderAnswerNeeded(call);
  return answer;
};

const where = (orderId: string, state: Payment) =>
  state.status === 'none' ? `order ${orderId} has no payment` : `the payment of order ${orderId} is ${state.status}`;

const authorize = (command: Extract<PaymentCommand, { type: 'AuthorizePayment' }>, state: Payment, at: string): PaymentsEvent[] => {
  const { orderId, amountCents, currency, cardToken } = command.data;
  const declined = (reason: string): PaymentsEvent[] => [{ type: 'PaymentDeclined', data: { orderId, amountCents, currency, reason, at } }];
  switch (state.status) {
    case 'none': {
      const answer = answerTo(command, { operation: 'authorize', orderId, amountCents, currency, cardToken });
      if (!answer.approved) return declined(answer.reason);
      return [{ type: 'PaymentAuthorized', data: { orderId, authorizationId: answer.reference, amountCents, currency, at } }];
    }
    // Authorized already (a command re-issued under another id): the authorization held answers, nothing is held twice.
    case 'authorized':
    case 'captured': {
      const { authorizationId, amountCents: held, currency: heldIn } = state;
      return [{ type: 'PaymentAuthorized', data: { orderId, authorizationId, amountCents: held, currency: heldIn, at } }];
    }
    case 'declined':
      return declined(state.reason);
    default:
      return declined(`${where(orderId, state)}: an order is paid once`);
  }
};

const voidPayment = (command: Extract<PaymentCommand, { type: 'VoidPayment' }>, state: Payment, at: string): PaymentsEvent[] => {
  const { orderId } = command.data;
  switch (state.status) {
    // Nothing known to be authorized, yet an authorization that timed out here may still land
    // at the provider: it is voided there by the order's reference, which also makes the
    // provider decline one that lands later. The payment is closed, so a redriven
    // authorization is declined here too.
    case 'none': {
      const answer = answerTo(command, { operation: 'void', orderId, amountCents: 0 });
      if (!answer.approved) return [{ type: 'PaymentVoidRejected', data: { orderId, reason: answer.reason, at } }];
      return [{ type: 'PaymentVoided', data: { orderId, amountCents: 0, at } }];
    }
    // The provider declined the authorization: it holds nothing to void.
    case 'declined':
      return [{ type: 'PaymentVoided', data: { orderId, amountCents: 0, at } }];
    case 'authorized':
    case 'capture-failed': {
      const { authorizationId, amountCents } = state;
      const answer = answerTo(command, { operation: 'void', orderId, authorizationId, amountCents });
      if (!answer.approved) return [{ type: 'PaymentVoidRejected', data: { orderId, reason: answer.reason, at } }];
      return [{ type: 'PaymentVoided', data: { orderId, authorizationId, amountCents, at } }];
    }
    case 'voided': {
      const { authorizationId, amountCents } = state;
      return [{ type: 'PaymentVoided', data: { orderId, ...(authorizationId === undefined ? {} : { authorizationId }), amountCents, at } }];
    }
    case 'captured':
    case 'refunded':
      return [{ type: 'PaymentVoidRejected', data: { orderId, reason: `${where(orderId, state)}: it is refunded, not voided`, at } }];
    default: {
      const unknown: never = state;
      throw new Error(`unknown payment state ${JSON.stringify(unknown)}`);
    }
  }
};

const capture = (command: Extract<PaymentCommand, { type: 'CapturePayment' }>, state: Payment, at: string): PaymentsEvent[] => {
  const { orderId } = command.data;
  switch (state.status) {
    // A failed capture may be tried again under a new command id: the authorization is still ours.
    case 'authorized':
    case 'capture-failed': {
      const { authorizationId, amountCents } = state;
      const answer = answerTo(command, { operation: 'capture', orderId, authorizationId, amountCents });
      if (!answer.approved) return [{ type: 'PaymentCaptureFailed', data: { orderId, reason: answer.reason, at } }];
      return [{ type: 'PaymentCaptured', data: { orderId, authorizationId, captureId: answer.reference, amountCents, at } }];
    }
    case 'captured': {
      const { authorizationId, captureId, amountCents } = state;
      return [{ type: 'PaymentCaptured', data: { orderId, authorizationId, captureId, amountCents, at } }];
    }
    default:
      return [{ type: 'PaymentCaptureFailed', data: { orderId, reason: `${where(orderId, state)}: there is no authorization to capture`, at } }];
  }
};

const refund = (command: Extract<PaymentCommand, { type: 'RefundPayment' }>, state: Payment, at: string): PaymentsEvent[] => {
  const { orderId, reason } = command.data;
  switch (state.status) {
    case 'captured': {
      const { captureId, amountCents } = state;
      const answer = answerTo(command, { operation: 'refund', orderId, captureId, amountCents, reason });
      if (!answer.approved) return [{ type: 'PaymentRefundRejected', data: { orderId, reason: answer.reason, at } }];
      return [{ type: 'PaymentRefunded', data: { orderId, refundId: answer.reference, amountCents, reason, at } }];
    }
    // Refunded already: the first refund answers, with its reason; nothing is paid back twice.
    case 'refunded': {
      const { refundId, amountCents } = state;
      return [{ type: 'PaymentRefunded', data: { orderId, refundId, amountCents, reason: state.reason, at } }];
    }
    default:
      return [{ type: 'PaymentRefundRejected', data: { orderId, reason: `${where(orderId, state)}: only a captured payment is refunded`, at } }];
  }
};

/**
 * A cancelled order's payment: what was captured is refunded, anything else voided (an
 * authorization released, or a payment closed before one and voided at the provider by the
 * order's reference, so a late one is declined). A capture that comes after it finds the
 * payment voided and fails, calling no provider.
 */
const cancel = (command: Extract<PaymentCommand, { type: 'CancelPayment' }>, state: Payment, at: string): PaymentsEvent[] => {
  const { data, metadata } = command;
  return state.status === 'captured' || state.status === 'refunded'
    ? refund({ type: 'RefundPayment', data, metadata }, state, at)
    : voidPayment({ type: 'VoidPayment', data: { orderId: data.orderId }, metadata }, state, at);
};

/** Every command gets exactly one answering event; only a missing provider answer throws (ProviderAnswerNeeded). */
export const decide = (command: PaymentCommand, state: Payment): PaymentsEvent[] => {
  const at = command.metadata.now;
  switch (command.type) {
    case 'AuthorizePayment':
      return authorize(command, state, at);
    case 'VoidPayment':
      return voidPayment(command, state, at);
    case 'CapturePayment':
      return capture(command, state, at);
    case 'RefundPayment':
      return refund(command, state, at);
    case 'CancelPayment':
      return cancel(command, state, at);
    default: {
      const unknown: never = command;
      throw new Error(`unknown payments command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The decider as one value, for the command handler and the test kit. */
export const paymentDecider: Decider<Payment, PaymentCommand, PaymentsEvent> = { initialState, evolve, decide };
