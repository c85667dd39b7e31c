// Catalog's events into inventory's copy of the skus catalog knows (catalog-skus.ts).
// The same shape as orders' price feed, kept parallel: a context never imports another.
import { CATALOG_EVENTS_TOPIC, ProductAdded } from '@ordo/catalog-contract';
import { consumer, type ConsumerDefinition } from '@ordo/host';
import { publishedEventSchema } from '@ordo/messaging';
import type { CatalogSkuUpdate, SqlCatalogSkus } from './catalog-skus';

/**
 * A catalog event as an update of the copy; undefined for the event types inventory has
 * no use for (a price change does not make a sku more or less known). The contract's
 * schemas are plain objects, so fields a later catalog adds pass through.
 */
export const parseCatalogEvent = (value: unknown): CatalogSkuUpdate | undefined => {
  const event = publishedEventSchema.parse(value);
  if (event.type !== 'ProductAdded') return undefined;
  const { sku } = ProductAdded.parse(event.data);
  return { type: 'ProductAdded', sku, revision: event.revision };
};

/**
 * Catalog's events into the copy, exactly once: with the inbox, the row and the message
 * id commit in one transaction; the revision guard makes a late or replayed older event
 * of a product change nothing.
 */
export const catalogFeed = (skus: SqlCatalogSkus): ConsumerDefinition =>
  consumer<CatalogSkuUpdate | undefined>({
    groupId: 'inventory-catalog',
    topics: [CATALOG_EVENTS_TOPIC],
    inbox: true,
    parse: parseCatalogEvent,
    handle: async ({ value: update }, { query }) => {
      if (!update) return;
      if (!query) throw new Error('the catalog feed writes inside the inbox transaction, which the bus did not give');
      await skus.apply(query, update);
    },
  });
