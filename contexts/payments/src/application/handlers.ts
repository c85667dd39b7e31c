// One function per command: load the payment, decide, and where a rule needs the
// provider's answer, ask for it and decide again with it; then append.
import { commandHandler, type CommandContext, type EventStore } from '@ordo/eventstore';
import { paymentStream, type AuthorizePayment, type CancelPayment, type CapturePayment, type RefundPayment, type VoidPayment } from '@ordo/payments-contract';
import { ProviderAnswerNeeded } from '../domain/errors';
import { paymentDecider, type PaymentCommand, type ProviderAnswer } from '../domain/payment';
import { askProvider, type PaymentProvider } from './provider';

export interface PaymentsHandlersPorts {
  store: EventStore;
  provider: PaymentProvider;
  /** A call that takes longer fails the command, to be retried. */
  providerTimeoutMs: number;
}

export const paymentsHandlers = ({ store, provider, providerTimeoutMs }: PaymentsHandlersPorts) => {
  // A payment's stream is a handful of events: loaded whole, no snapshots.
  const payments = commandHandler({ store, aggregate: paymentDecider });

  const decideWith = <C extends PaymentCommand>(command: C, context: CommandContext, answer?: ProviderAnswer) => {
    const asked = answer ? { ...command, metadata: { ...command.metadata, provider: answer } } : command;
    return payments.handle(paymentStream(command.data.orderId), context, (state) => paymentDecider.decide(asked, state));
  };

  /**
   * The first pass finds a repeated command id before anything is asked, so a command
   * handled already calls the provider no more. A rule that needs the provider throws
   * ProviderAnswerNeeded; the call goes out under the command's id and the command is
   * decided again on the stream as it is then. Should that need another call (the
   * payment changed meanwhile), the throw reaches the bus, which retries the command.
   */
  const run = async <C extends PaymentCommand>(command: C, context: CommandContext) => {
    try {
      return await decideWith(command, context);
    } catch (error) {
      if (!(error instanceof ProviderAnswerNeeded)) throw error;
      const answer = await askProvider(provider, error.call, context.commandId, providerTimeoutMs);
      return decideWith(command, context, answer);
    }
  };

  return {
    authorizePayment: (data: AuthorizePayment, context: CommandContext) => run({ type: 'AuthorizePayment', data, metadata: { now: context.now } }, context),
    voidPayment: (data: VoidPayment, context: CommandContext) => run({ type: 'VoidPayment', data, metadata: { now: context.now } }, context),
    capturePayment: (data: CapturePayment, context: CommandContext) => run({ type: 'CapturePayment', data, metadata: { now: context.now } }, context),
    refundPayment: (data: RefundPayment, context: CommandContext) => run({ type: 'RefundPayment', data, metadata: { now: context.now } }, context),
    cancelPayment: (data: CancelPayment, context: CommandContext) => run({ type: 'CancelPayment', data, metadata: { now: context.now } }, context),
    /** An order's payment and its stream revision (-1n: the order has no payment). */
    readPayment: (orderId: string) => payments.read(paymentStream(orderId)),
  };
};

export type PaymentsHandlers = ReturnType<typeof paymentsHandlers>;
