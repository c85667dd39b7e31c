// One function per command: load the product, decide, append.
import { productStream, type AddProduct, type ChangePrice } from '@ordo/catalog-contract';
import { commandHandler, type CommandContext, type EventStore, type HandleOptions } from '@ordo/eventstore';
import { productDecider, type ProductCommand } from '../domain/product';

export const catalogHandlers = ({ store }: { store: EventStore }) => {
  // A product's stream holds its listing and its price changes: short enough to load whole, no snapshots.
  const products = commandHandler({ store, aggregate: productDecider });

  // The context is the command's metadata (its ids go into the events); its time goes into the command, for the decider.
  // Options carry a client's If-Match revision, checked against the stream as loaded; the append expects it.
  const run = (command: ProductCommand, context: CommandContext, options?: HandleOptions) =>
    products.handle(productStream(command.data.sku), context, (state) => productDecider.decide(command, state), options);

  return {
    addProduct: (data: AddProduct, context: CommandContext) => run({ type: 'AddProduct', data, metadata: { now: context.now } }, context),
    changePrice: (data: ChangePrice, context: CommandContext, options?: HandleOptions) =>
      run({ type: 'ChangePrice', data, metadata: { now: context.now } }, context, options),
    /** A product and its stream revision (-1n: never listed). */
    readProduct: (sku: string) => products.read(productStream(sku)),
  };
};

export type CatalogHandlers = ReturnType<typeof catalogHandlers>;
