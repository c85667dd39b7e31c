// Commands from the order-placement saga on `ordo.payments.commands`, keyed by order id.
// A refusal is an answering event; a throw here means "retry, then park"
// (docs/architecture.md, "Errors at the edge"): right for a provider that failed or did
// not answer in time, since the retry carries the same command id and so the same
// idempotency key.
import type { CommandContext } from '@ordo/eventstore';
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { COMMAND_SEQUENCES_AT_ONCE, commandMetadataOf, commandParser, UnknownCommandError, type ConsumedMessage } from '@ordo/messaging';
import { CONTEXT, PAYMENTS_COMMANDS_TOPIC, paymentsCommandSchemas, type PaymentsCommandMessage } from '@ordo/payments-contract';
import type { Logger } from '@ordo/runtime';
import type { PaymentsHandlers } from './application/handlers';

/** The envelope, then the data by type: a bad message fails here and is parked with the reason. */
export const parsePaymentsCommand = commandParser(CONTEXT, paymentsCommandSchemas);

/** A command keyed by another order than its own: a sender's bug that retrying cannot mend, so it is parked at once. */
export class MisroutedCommand extends Error {
  constructor(command: PaymentsCommandMessage, key: string) {
    super(`${command.type} for order ${command.data.orderId} arrived keyed by '${key}'`);
    this.name = 'MisroutedCommand';
  }
}

const handle = (handlers: PaymentsHandlers, command: PaymentsCommandMessage, context: CommandContext) => {
  switch (command.type) {
    case 'AuthorizePayment':
      return handlers.authorizePayment(command.data, context);
    case 'VoidPayment':
      return handlers.voidPayment(command.data, context);
    case 'CapturePayment':
      return handlers.capturePayment(command.data, context);
    case 'RefundPayment':
      return handlers.refundPayment(command.data, context);
    case 'CancelPayment':
      return handlers.cancelPayment(command.data, context);
    default: {
      const unknown: never = command;
      throw new UnknownCommandError(`payments takes no command ${JSON.stringify(unknown)}`);
    }
  }
};

/**
 * Handles one command with the id it was issued with, so a redelivered or re-issued
 * command (the same id) appends nothing and calls the provider no more: its first answer stands.
 */
export const paymentsCommandHandler =
  (handlers: PaymentsHandlers, clock: () => Date, logger: Logger) =>
  async ({ key, value: command }: ConsumedMessage<PaymentsCommandMessage>): Promise<void> => {
    // One order's commands keep their order only when keyed by it.
    if (key !== command.data.orderId) throw new MisroutedCommand(command, key);
    const context: CommandContext = { ...commandMetadataOf(command), now: clock().toISOString() };
    const about = { commandId: command.commandId, command: command.type, orderId: command.data.orderId };
    try {
      const handled = await handle(handlers, command, context);
      logger.debug({ ...about, answer: handled.events.map((event) => event.type), repeated: handled.repeated }, 'payments command handled');
    } catch (error) {
      // The runner logs only what it parks; each failed attempt is worth a line, since the provider is outside.
      logger.warn({ ...about, err: error }, 'payments command failed; it is retried with the same id');
      throw error;
    }
  };

export interface PaymentsConsumersPorts {
  handlers: PaymentsHandlers;
  clock: () => Date;
  logger: Logger;
}

/** The saga's commands: every change to a payment comes this way. */
export const paymentsConsumers = ({ handlers, clock, logger }: PaymentsConsumersPorts): ConsumerDefinition[] => [
  consumer({
    groupId: 'payments-commands',
    topics: [PAYMENTS_COMMANDS_TOPIC],
    concurrentSequences: COMMAND_SEQUENCES_AT_ONCE,
    parse: parsePaymentsCommand,
    handle: paymentsCommandHandler(handlers, clock, logger),
    permanent: (error) => error instanceof MisroutedCommand,
  }),
];
