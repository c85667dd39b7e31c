import type { ProjectedEvent } from '@ordo/projections';

// What the inventory view's unit specs share: an event of a sku's stream as the view is given it.

/** An event of `stock-<sku>` at a revision, stamped as inventory stamps it. */
export const stockEvent = (type: string, data: Record<string, unknown>, revision = 0, sku = 'SKU-1'): ProjectedEvent => ({
  id: `stock-${sku}-${revision}`,
  stream: `stock-${sku}`,
  revision: BigInt(revision),
  type,
  data: { sku, at: '2026-11-30T10:00:00.000Z', ...data },
  recordedAt: new Date(),
});
