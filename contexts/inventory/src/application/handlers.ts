// One function per command: load the stock (from its snapshot), decide, append.
// HTTP and the command topic both come through here.
import { commandHandler, type CommandContext, type EventStore } from '@ordo/eventstore';
import { stockStream, type AddStock, type CommitStock, type ReleaseStock, type ReserveStock } from '@ordo/inventory-contract';
import { SkuNotInCatalog } from '../domain/errors';
import { reviveStock, stockDecider, storedStock, type Stock, type StockCommand } from '../domain/stock';

/** Inventory's copy of the skus catalog has a product for (catalog-skus.ts), filled from catalog's events. */
export interface CatalogSkus {
  knows(sku: string): Promise<boolean>;
}

/** A command the order-placement saga sends on inventory's command topic, as handlers take it. */
export type ReserveOrRelease = { type: 'ReserveStock'; data: ReserveStock } | { type: 'ReleaseStock'; data: ReleaseStock };

/** The shape of the Stock a snapshot holds: changed whenever Stock changes shape. */
export const STOCK_SNAPSHOT_VERSION = 2;

export const inventoryHandlers = ({ store, catalog }: { store: EventStore; catalog: CatalogSkus }) => {
  // A popular sku's stream grows with every order: load it from a snapshot, not from its start.
  // The version names the shape of Stock: a snapshot of another version is ignored and the
  // stream read from its start (version 1 had no `dispatched`). The reservations' map is
  // stored as the record it was before, so their change kept version 2.
  const stock = commandHandler({
    store,
    aggregate: stockDecider,
    snapshot: { every: 100, version: STOCK_SNAPSHOT_VERSION, toStored: storedStock, revive: reviveStock },
  });

  // The context is the command's metadata (its ids go into the events); its time (and for AddStock, whether catalog knows the sku) goes into the command, for the decider.
  const run = (command: StockCommand, context: CommandContext) =>
    stock.handle(stockStream(command.data.sku), context, (state) => stockDecider.decide(command, state));

  return {
    addStock: async (data: AddStock, context: CommandContext) =>
      run({ type: 'AddStock', data, metadata: { now: context.now, skuInCatalog: await catalog.knows(data.sku) } }, context),
    reserveStock: (data: ReserveStock, context: CommandContext) => run({ type: 'ReserveStock', data, metadata: { now: context.now } }, context),
    releaseStock: (data: ReleaseStock, context: CommandContext) => run({ type: 'ReleaseStock', data, metadata: { now: context.now } }, context),
    commitStock: (data: CommitStock, context: CommandContext) => run({ type: 'CommitStock', data, metadata: { now: context.now } }, context),
    /**
     * Commands for one sku that waited on the command topic, decided in turn and appended in
     * one append: all of them, or none (a refusal by a throw, a failed append). A flash
     * sale's hot sku then costs an append per batch of waiting commands, not one each.
     */
    reserveOrReleaseTogether: (sku: string, commands: readonly { command: ReserveOrRelease; context: CommandContext }[]) =>
      stock.handleTogether(
        stockStream(sku),
        commands.map(({ command, context }) => {
          if (command.data.sku !== sku) throw new Error(`${command.type} for ${command.data.sku} cannot go together with the commands for ${sku}`);
          const stockCommand: StockCommand = { ...command, metadata: { now: context.now } };
          return { metadata: context, decide: (state: Stock) => stockDecider.decide(stockCommand, state) };
        }),
      ),
    /**
     * The stock of a sku and its stream revision (-1n: nothing ever happened to it): zero
     * for a sku catalog knows and nothing was added to, SkuNotInCatalog for one it does
     * not. Stock once added is answered without asking the copy.
     */
    readStock: async (sku: string) => {
      const read = await stock.read(stockStream(sku));
      if (read.state.added === 0 && !(await catalog.knows(sku))) throw new SkuNotInCatalog(sku);
      return read;
    },
  };
};

export type InventoryHandlers = ReturnType<typeof inventoryHandlers>;
