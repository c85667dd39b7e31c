// Commands from the order-placement saga on `ordo.shipping.commands`, keyed by order id.
// A refusal is an answering event; a throw here means "retry, then park"
// (docs/architecture.md, "Errors at the edge"), which is right only for what cannot be handled.
import type { CommandContext } from '@ordo/eventstore';
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { COMMAND_SEQUENCES_AT_ONCE, commandMetadataOf, commandParser, UnknownCommandError, type ConsumedMessage } from '@ordo/messaging';
import type { Logger } from '@ordo/runtime';
import { CONTEXT, SHIPPING_COMMANDS_TOPIC, shippingCommandSchemas, type ShippingCommandMessage } from '@ordo/shipping-contract';
import type { ShippingHandlers } from './application/handlers';

/** The envelope, then the data by type: a bad message fails here and is parked with the reason. */
export const parseShippingCommand = commandParser(CONTEXT, shippingCommandSchemas);

/** A command keyed by another order than its own: a sender's bug that no retry mends, so parked at once to be seen. */
export class MisroutedCommand extends Error {
  override name = 'MisroutedCommand';
}

const handle = (handlers: ShippingHandlers, command: ShippingCommandMessage, context: CommandContext) => {
  switch (command.type) {
    case 'ScheduleShipment':
      return handlers.scheduleShipment(command.data, context);
    case 'CancelShipment':
      return handlers.cancelShipment(command.data, context);
    default: {
      const unknown: never = command;
      throw new UnknownCommandError(`shipping takes no command ${JSON.stringify(unknown)}`);
    }
  }
};

/**
 * Handles one command with the id it was issued with, so a redelivered or re-issued
 * command (the same id) appends nothing: its first answer stands.
 */
export const shippingCommandHandler =
  (handlers: ShippingHandlers, clock: () => Date, logger: Logger) =>
  async ({ key, value: command }: ConsumedMessage<ShippingCommandMessage>): Promise<void> => {
    // An order's commands keep their order only when keyed by it.
    if (key !== command.data.orderId) throw new MisroutedCommand(`${command.type} for order ${command.data.orderId} arrived keyed by '${key}'`);
    const context: CommandContext = { ...commandMetadataOf(command), now: clock().toISOString() };
    const handled = await handle(handlers, command, context);
    logger.debug(
      {
        commandId: command.commandId,
        command: command.type,
        orderId: command.data.orderId,
        answer: handled.events.map((event) => event.type),
        repeated: handled.repeated,
      },
      'shipping command handled',
    );
  };

export interface ShippingConsumersPorts {
  handlers: ShippingHandlers;
  clock: () => Date;
  logger: Logger;
}

export const shippingConsumers = ({ handlers, clock, logger }: ShippingConsumersPorts): ConsumerDefinition[] => [
  consumer({
    groupId: 'shipping-commands',
    topics: [SHIPPING_COMMANDS_TOPIC],
    concurrentSequences: COMMAND_SEQUENCES_AT_ONCE,
    parse: parseShippingCommand,
    handle: shippingCommandHandler(handlers, clock, logger),
    permanent: (error) => error instanceof MisroutedCommand,
    logger,
  }),
];
