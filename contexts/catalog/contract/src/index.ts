// Catalog's published language: the commands it takes and the events it records.
// Readers are tolerant (docs/architecture.md): event schemas are plain `z.object`s, so a field
// added by a later version passes through an older reader. Orders keeps its price
// table from these events.
import { z } from 'zod';

export const CONTEXT = 'catalog';

/** Where catalog's events are published, keyed by stream. Catalog takes no commands on the bus. */
export const CATALOG_EVENTS_TOPIC = 'ordo.catalog.events';

export const Sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,39}$/, 'expected a sku: 1 to 40 of A-Z, 0-9 and -, not starting with -');
export type Sku = z.infer<typeof Sku>;

/** Money is integer cents. */
export const PriceCents = z.number().int().nonnegative();
const Name = z.string().min(1);
const At = z.string().min(1);

/** One stream per product: `product-<sku>`. */
export const productStream = (sku: string): string => `product-${sku}`;

/** Every stream catalog's store holds: the store refuses others, and its relay reads only these. */
export const CATALOG_STREAM_PREFIXES = ['product-'];

// ---- commands ----------------------------------------------------------------------

export const AddProduct = z.object({ sku: Sku, name: Name, priceCents: PriceCents });
export type AddProduct = z.infer<typeof AddProduct>;

export const ChangePrice = z.object({ sku: Sku, priceCents: PriceCents });
export type ChangePrice = z.infer<typeof ChangePrice>;

// ---- events ------------------------------------------------------------------------

export const ProductAdded = z.object({ sku: Sku, name: Name, priceCents: PriceCents, at: At });
export type ProductAdded = z.infer<typeof ProductAdded>;

export const PriceChanged = z.object({ sku: Sku, priceCents: PriceCents, previousPriceCents: PriceCents, at: At });
export type PriceChanged = z.infer<typeof PriceChanged>;

export type CatalogEvent = { type: 'ProductAdded'; data: ProductAdded } | { type: 'PriceChanged'; data: PriceChanged };

export const catalogEventTypes = ['ProductAdded', 'PriceChanged'] as const satisfies readonly CatalogEvent['type'][];

/**
 * The store's schema registry (an `EventSchemaRegistry` of @ordo/eventstore): appends are
 * validated against it and stamped with the version; reads are upcast by it.
 */
export const catalogEventSchemas = {
  ProductAdded: { version: 1, schema: ProductAdded },
  PriceChanged: { version: 1, schema: PriceChanged },
} as const satisfies Record<CatalogEvent['type'], { version: number; schema: z.ZodType }>;
