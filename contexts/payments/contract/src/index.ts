// Payments' published language: the commands it takes, the events that answer them, and
// the view its HTTP route answers with. Readers are tolerant (docs/architecture.md): event
// schemas are plain `z.object`s, so a field added by a later version passes through an
// older reader.
import { z } from 'zod';
import { commandEndpoint, type CommandMessage } from '@ordo/messaging';

export const CONTEXT = 'payments';

/** Where commands for payments travel, keyed by order id. */
export const PAYMENTS_COMMANDS_TOPIC = 'ordo.payments.commands';
/** Where payments' events are published, keyed by stream. */
export const PAYMENTS_EVENTS_TOPIC = 'ordo.payments.events';

/** Orders' ids are uuids; anything of this shape is taken, so a stream name never holds odd characters. */
export const OrderId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'expected an order id: 1 to 100 of A-Z, a-z, 0-9, _ and -');
/** Money is integer cents. */
export const AmountCents = z.number().int().positive();
/** The only currency taken today; a command that names none means it. */
export const Currency = z.literal('EUR');
const Reason = z.string().min(1);
const ProviderReference = z.string().min(1);
const At = z.string().min(1);

/** One payment per order: `payment-<orderId>`. */
export const paymentStream = (orderId: string): string => `payment-${orderId}`;

/** Every stream payments' store holds: the store refuses others, and its relay reads only these. */
export const PAYMENTS_STREAM_PREFIXES = ['payment-'];

// ---- commands ----------------------------------------------------------------------

/** `cardToken` goes to the provider only: no event records it. */
export const AuthorizePayment = z.object({
  orderId: OrderId,
  amountCents: AmountCents,
  currency: Currency.default('EUR'),
  cardToken: z.string().min(1).max(200),
});
export type AuthorizePayment = z.infer<typeof AuthorizePayment>;

export const VoidPayment = z.object({ orderId: OrderId });
export type VoidPayment = z.infer<typeof VoidPayment>;

export const CapturePayment = z.object({ orderId: OrderId });
export type CapturePayment = z.infer<typeof CapturePayment>;

export const RefundPayment = z.object({ orderId: OrderId, reason: z.string().min(1).max(500) });
export type RefundPayment = z.infer<typeof RefundPayment>;

/**
 * An order was cancelled: whatever its payment holds goes back. Voided while only
 * authorized (or never authorized), refunded once captured, so the sender need not know
 * whether a capture got there first: payments handles one order's commands one at a time.
 */
export const CancelPayment = z.object({ orderId: OrderId, reason: z.string().min(1).max(500) });
export type CancelPayment = z.infer<typeof CancelPayment>;

/** The commands a saga sends on `ordo.payments.commands`, keyed by order id. */
export type AuthorizePaymentMessage = CommandMessage<'AuthorizePayment', AuthorizePayment>;
export type VoidPaymentMessage = CommandMessage<'VoidPayment', VoidPayment>;
export type CapturePaymentMessage = CommandMessage<'CapturePayment', CapturePayment>;
export type RefundPaymentMessage = CommandMessage<'RefundPayment', RefundPayment>;
export type CancelPaymentMessage = CommandMessage<'CancelPayment', CancelPayment>;
export type PaymentsCommandMessage = AuthorizePaymentMessage | VoidPaymentMessage | CapturePaymentMessage | RefundPaymentMessage | CancelPaymentMessage;

/** The data schema of each command the topic carries: every payments command comes this way. */
export const paymentsCommandSchemas = {
  AuthorizePayment,
  VoidPayment,
  CapturePayment,
  RefundPayment,
  CancelPayment,
} as const satisfies Record<PaymentsCommandMessage['type'], z.ZodType>;

// ---- events: every command is answered by exactly one ---------------------------------

export const PaymentAuthorized = z.object({
  orderId: OrderId,
  authorizationId: ProviderReference,
  amountCents: AmountCents,
  currency: z.string().length(3),
  at: At,
});
export type PaymentAuthorized = z.infer<typeof PaymentAuthorized>;

/** Refused by the provider (a card rule, a limit) or by payments (the order's payment is closed): an answer, not an error. */
export const PaymentDeclined = z.object({ orderId: OrderId, amountCents: z.number(), currency: z.string().length(3), reason: Reason, at: At });
export type PaymentDeclined = z.infer<typeof PaymentDeclined>;

/** `amountCents` is 0, without `authorizationId`, when nothing was authorized: the sender still gets its answer. */
export const PaymentVoided = z.object({
  orderId: OrderId,
  authorizationId: ProviderReference.optional(),
  amountCents: z.number().int().nonnegative(),
  at: At,
});
export type PaymentVoided = z.infer<typeof PaymentVoided>;

/** A payment already captured is refunded, not voided. */
export const PaymentVoidRejected = z.object({ orderId: OrderId, reason: Reason, at: At });
export type PaymentVoidRejected = z.infer<typeof PaymentVoidRejected>;

export const PaymentCaptured = z.object({
  orderId: OrderId,
  authorizationId: ProviderReference,
  captureId: ProviderReference,
  amountCents: AmountCents,
  at: At,
});
export type PaymentCaptured = z.infer<typeof PaymentCaptured>;

/** A definite failure (the authorization expired, the provider refused, nothing authorized): retrying the same command changes nothing. */
export const PaymentCaptureFailed = z.object({ orderId: OrderId, reason: Reason, at: At });
export type PaymentCaptureFailed = z.infer<typeof PaymentCaptureFailed>;

/** The whole captured amount; `reason` is the one the command gave. */
export const PaymentRefunded = z.object({ orderId: OrderId, refundId: ProviderReference, amountCents: AmountCents, reason: Reason, at: At });
export type PaymentRefunded = z.infer<typeof PaymentRefunded>;

/** Only a captured payment is refunded; the provider may refuse too. */
export const PaymentRefundRejected = z.object({ orderId: OrderId, reason: Reason, at: At });
export type PaymentRefundRejected = z.infer<typeof PaymentRefundRejected>;

export type PaymentsEvent =
  | { type: 'PaymentAuthorized'; data: PaymentAuthorized }
  | { type: 'PaymentDeclined'; data: PaymentDeclined }
  | { type: 'PaymentVoided'; data: PaymentVoided }
  | { type: 'PaymentVoidRejected'; data: PaymentVoidRejected }
  | { type: 'PaymentCaptured'; data: PaymentCaptured }
  | { type: 'PaymentCaptureFailed'; data: PaymentCaptureFailed }
  | { type: 'PaymentRefunded'; data: PaymentRefunded }
  | { type: 'PaymentRefundRejected'; data: PaymentRefundRejected };

export const paymentsEventTypes = [
  'PaymentAuthorized',
  'PaymentDeclined',
  'PaymentVoided',
  'PaymentVoidRejected',
  'PaymentCaptured',
  'PaymentCaptureFailed',
  'PaymentRefunded',
  'PaymentRefundRejected',
] as const satisfies readonly PaymentsEvent['type'][];

/**
 * The store's schema registry (an `EventSchemaRegistry` of @ordo/eventstore): appends are
 * validated against it and stamped with the version; reads are upcast by it.
 */
export const paymentsEventSchemas = {
  PaymentAuthorized: { version: 1, schema: PaymentAuthorized },
  PaymentDeclined: { version: 1, schema: PaymentDeclined },
  PaymentVoided: { version: 1, schema: PaymentVoided },
  PaymentVoidRejected: { version: 1, schema: PaymentVoidRejected },
  PaymentCaptured: { version: 1, schema: PaymentCaptured },
  PaymentCaptureFailed: { version: 1, schema: PaymentCaptureFailed },
  PaymentRefunded: { version: 1, schema: PaymentRefunded },
  PaymentRefundRejected: { version: 1, schema: PaymentRefundRejected },
} as const satisfies Record<PaymentsEvent['type'], { version: number; schema: z.ZodType }>;

// ---- endpoints: the commands a saga sends, and the replies that answer them ----------

const byOrder = ({ orderId }: { orderId: string }) => orderId;

export const AuthorizePaymentEndpoint = commandEndpoint(
  CONTEXT,
  { AuthorizePayment },
  { aggregateId: byOrder, success: { PaymentAuthorized }, failure: { PaymentDeclined } },
);

/** Answered with PaymentVoided when nothing was authorized too; a captured payment is refunded instead. */
export const VoidPaymentEndpoint = commandEndpoint(
  CONTEXT,
  { VoidPayment },
  { aggregateId: byOrder, success: { PaymentVoided }, failure: { PaymentVoidRejected } },
);

export const CapturePaymentEndpoint = commandEndpoint(
  CONTEXT,
  { CapturePayment },
  { aggregateId: byOrder, success: { PaymentCaptured }, failure: { PaymentCaptureFailed } },
);

export const RefundPaymentEndpoint = commandEndpoint(
  CONTEXT,
  { RefundPayment },
  { aggregateId: byOrder, success: { PaymentRefunded }, failure: { PaymentRefundRejected } },
);

/** Answered as VoidPayment or RefundPayment would be, whichever the payment's state calls for. */
export const CancelPaymentEndpoint = commandEndpoint(
  CONTEXT,
  { CancelPayment },
  { aggregateId: byOrder, success: { PaymentVoided, PaymentRefunded }, failure: { PaymentVoidRejected, PaymentRefundRejected } },
);

// ---- views ---------------------------------------------------------------------------

export const PaymentStatus = z.enum(['authorized', 'declined', 'voided', 'captured', 'capture-failed', 'refunded']);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** `GET /v1/payments/:orderId` (viewer and above), under the ETag `"payment-<orderId>:<revision>"`. */
export const PaymentView = z.object({
  orderId: OrderId,
  status: PaymentStatus,
  /** What was asked (declined) or authorized; 0 for a payment voided before anything was authorized. */
  amountCents: z.number(),
  /** Absent for a payment voided before anything was authorized. */
  currency: z.string().optional(),
  capturedCents: z.number().int().nonnegative(),
  refundedCents: z.number().int().nonnegative(),
  authorizationId: z.string().optional(),
  captureId: z.string().optional(),
  refundId: z.string().optional(),
  /** Why it was declined, why its capture failed, or why it was refunded. */
  reason: z.string().optional(),
  /** When its last event was recorded. */
  updatedAt: z.string(),
});
export type PaymentView = z.infer<typeof PaymentView>;
