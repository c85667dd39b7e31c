// One function per command: load the stock (from its snapshot), decide, append.
// HTTP and the command topic both come through here.
import { commandHandler, type CommandMetadata, type EventStore } from '@ordo/eventstore';
import { stockStream, type AddStock, type ReleaseStock, type ReserveStock } from '@ordo/inventory-contract';
import { decide, evolve, initialState, type InventoryCommand } from '../domain/inventory';

/** The ids a command carries (DESIGN.md, "Idempotency comes from the command id") and the time it is handled at (ISO). */
export type CommandContext = CommandMetadata & { now: string };

export const inventoryHandlers = (store: EventStore) => {
  // A popular sku's stream grows with every order: load it from a snapshot, not from its start.
  const stock = commandHandler({ store, aggregate: { initialState, evolve }, snapshot: { every: 100, version: 1 } });

  // The context is the command's metadata (its ids go into the events); its time goes into the command, for the decider.
  const run = (command: InventoryCommand, context: CommandContext) =>
    stock.handle(stockStream(command.data.sku), context, (state) => decide(command, state));

  return {
    addStock: (data: AddStock, context: CommandContext) => run({ type: 'AddStock', data, metadata: { now: context.now } }, context),
    reserveStock: (data: ReserveStock, context: CommandContext) => run({ type: 'ReserveStock', data, metadata: { now: context.now } }, context),
    releaseStock: (data: ReleaseStock, context: CommandContext) => run({ type: 'ReleaseStock', data, metadata: { now: context.now } }, context),
    /** The stock of a sku and its stream revision (-1n: nothing ever happened to it). */
    readStock: (sku: string) => stock.read(stockStream(sku)),
  };
};

export type InventoryHandlers = ReturnType<typeof inventoryHandlers>;
