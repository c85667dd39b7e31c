// Inventory on the bus: catalog's events into its copy of catalog, shipping's dispatches
// into committed stock, and commands from other services (the order-placement saga) on
// `ordo.inventory.commands`, keyed by sku. A refusal is an answering event; a throw here
// means "retry, then park" (docs/architecture.md, "Errors at the edge"), which is right
// only for what cannot be handled.
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { COMMAND_SEQUENCES_AT_ONCE, commandMetadataOf, commandParser, UnknownCommandError, type ConsumedMessage } from '@ordo/messaging';
import { CONTEXT, INVENTORY_COMMANDS_TOPIC, inventoryCommandSchemas, type InventoryCommandMessage } from '@ordo/inventory-contract';
import type { Logger } from '@ordo/runtime';
import type { CommandContext } from '@ordo/eventstore';
import type { InventoryHandlers } from './application/handlers';
import { catalogFeed } from './catalog-feed';
import { dispatchFeed } from './dispatch-feed';
import type { SqlCatalogSkus } from './catalog-skus';

/** The envelope, then the data by type: a bad message fails here and is parked with the reason. */
export const parseInventoryCommand = commandParser(CONTEXT, inventoryCommandSchemas);

/**
 * Handles one command with the id it was issued with, so a redelivered or re-issued
 * command (the same id) appends nothing: its first answer stands.
 */
export const inventoryCommandHandler =
  (handlers: InventoryHandlers, clock: () => Date, logger: Logger) =>
  async ({ key, value: command }: ConsumedMessage<InventoryCommandMessage>): Promise<void> => {
    keyedBySku(key, command);
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

/** Commands of one sku keep their order only when keyed by it: a wrong key is a sender's bug, parked to be seen. */
const keyedBySku = (key: string, command: InventoryCommandMessage) => {
  if (key !== command.data.sku) throw new Error(`${command.type} for ${command.data.sku} arrived keyed by '${key}'`);
};

/**
 * The commands of one sku that waited in a fetch, decided in turn and appended together
 * (`handleTogether`): all or none, and after a throw the consumer hands them to
 * inventoryCommandHandler one by one, where those appended meanwhile answer as repeats.
 */
export const inventoryCommandsTogether =
  (handlers: InventoryHandlers, clock: () => Date, logger: Logger) =>
  async (messages: ConsumedMessage<InventoryCommandMessage>[]): Promise<void> => {
    const [first] = messages;
    if (!first) return;
    for (const { key, value } of messages) keyedBySku(key, value);
    const now = clock().toISOString();
    const handled = await handlers.reserveOrReleaseTogether(
      first.key,
      messages.map(({ value: command }) => ({ command, context: { ...commandMetadataOf(command), now } })),
    );
    logger.debug(
      { sku: first.key, commands: messages.length, answers: handled.map((answer) => answer.events.map((event) => event.type)) },
      'inventory commands handled together',
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

export interface InventoryConsumersPorts {
  handlers: InventoryHandlers;
  catalogSkus: SqlCatalogSkus;
  clock: () => Date;
  logger: Logger;
}

/** Catalog's events into the copy of its skus, shipping's dispatches into committed stock, and the saga's commands. */
export const inventoryConsumers = ({ handlers, catalogSkus, clock, logger }: InventoryConsumersPorts): ConsumerDefinition[] => [
  catalogFeed(catalogSkus),
  dispatchFeed({ handlers, clock, logger }),
  consumer({
    groupId: 'inventory-commands',
    topics: [INVENTORY_COMMANDS_TOPIC],
    concurrentSequences: COMMAND_SEQUENCES_AT_ONCE,
    parse: parseInventoryCommand,
    handle: inventoryCommandHandler(handlers, clock, logger),
    handleTogether: inventoryCommandsTogether(handlers, clock, logger),
  }),
];
