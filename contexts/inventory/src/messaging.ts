// Commands from other services (the order-placement saga) on `ordo.inventory.commands`,
// keyed by sku. A refusal is an answering event; a throw here means "retry, then park"
// (docs/architecture.md, "Errors at the edge"), which is right only for what cannot be handled.
import { commandMetadataOf, commandParser, UnknownCommandError, type ConsumedMessage } from '@ordo/messaging';
import { CONTEXT, inventoryCommandSchemas, type InventoryCommandMessage } from '@ordo/inventory-contract';
import type { Logger } from '@ordo/runtime';
import type { CommandContext, InventoryHandlers } from './application/handlers';

/** The envelope, then the data by type: a bad message fails here and is parked with the reason. */
export const parseInventoryCommand = commandParser(CONTEXT, inventoryCommandSchemas);

/**
 * Handles one command with the id it was issued with, so a redelivered or re-issued
 * command (the same id) appends nothing: its first answer stands.
 */
export const inventoryCommandHandler =
  (handlers: InventoryHandlers, clock: () => Date, logger: Logger) =>
  async ({ key, value: command }: ConsumedMessage<InventoryCommandMessage>): Promise<void> => {
    // Commands of one sku keep their order only when keyed by it: a wrong key is a sender's bug, parked to be seen.
    if (key !== command.data.sku) throw new Error(`${command.type} for ${command.data.sku} arrived keyed by '${key}'`);
    const context: CommandContext = { ...commandMetadataOf(command), now: clock().toISOString() };
    const handled = await handle(handlers, command, context);
    logger.debug(
      {
        commandId: command.commandId,
        command: command.type,
        sku: command.data.sku,
        answer: handled.events.map((event) => event.type),
        repeated: handled.repeated,
      },
      'inventory command handled',
    );
  };

const handle = (handlers: InventoryHandlers, command: InventoryCommandMessage, context: CommandContext) => {
  switch (command.type) {
    case 'ReserveStock':
      return handlers.reserveStock(command.data, context);
    case 'ReleaseStock':
      return handlers.releaseStock(command.data, context);
    default: {
      const unknown: never = command;
      throw new UnknownCommandError(`inventory takes no command ${JSON.stringify(unknown)}`);
    }
  }
};
