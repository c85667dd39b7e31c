// One function per command: load the product, decide, append.
import { productStream, type AddProduct, type ChangePrice } from '@ordo/catalog-contract';
import { commandHandler, type CommandMetadata, type EventStore } from '@ordo/eventstore';
import { decide, evolve, initialState, type CatalogCommand } from '../domain/catalog';

/** The ids a command carries (docs/architecture.md, "Idempotency comes from the command id") and the time it is handled at (ISO). */
export type CommandContext = CommandMetadata & { now: string };

/** The revision a client's If-Match names, or `stream_exists` for `*`. */
export type ExpectedRevision = bigint | 'stream_exists';

export const catalogHandlers = (store: EventStore) => {
  // A product's stream holds its listing and its price changes: short enough to load whole, no snapshots.
  const products = commandHandler({ store, aggregate: { initialState, evolve } });

  // The context is the command's metadata (its ids go into the events); its time goes into the command, for the decider.
  // An If-Match revision is checked against the stream as loaded, and the append expects it.
  const run = (command: CatalogCommand, context: CommandContext, expectedRevision?: ExpectedRevision) =>
    products.handle(productStream(command.data.sku), context, (state) => decide(command, state), { expectedRevision });

  return {
    addProduct: (data: AddProduct, context: CommandContext) => run({ type: 'AddProduct', data, metadata: { now: context.now } }, context),
    changePrice: (data: ChangePrice, context: CommandContext, expected?: ExpectedRevision) =>
      run({ type: 'ChangePrice', data, metadata: { now: context.now } }, context, expected),
    /** A product and its stream revision (-1n: never listed). */
    readProduct: (sku: string) => products.read(productStream(sku)),
  };
};

export type CatalogHandlers = ReturnType<typeof catalogHandlers>;
