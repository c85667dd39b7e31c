// The inventory view's HTTP API: the stock of one sku, and every sku's in pages. Which
// orders hold reserved stock is for viewers and above. A request with Read-After waits
// until the view holds that write.
import { z } from 'zod';
import { awaitReadAfter, hasAccess, NotFound, notModified, setETag, type HttpServer, type Principal } from '@ordo/http';
import { Sku, stockStream } from '@ordo/inventory-contract';
import { STOCK_PREFIX } from './stock-row';
import type { StockQueries, StoredStock } from './queries';

const SkuParams = z.strictObject({ sku: Sku });
const StockListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: Sku.optional().describe('the `next` of the page before: the last sku it held'),
});
const StockView = z.object({
  sku: Sku,
  added: z.number().int(),
  onHand: z.number().int().describe('in the warehouse: available + reserved'),
  available: z.number().int(),
  reserved: z.number().int(),
  dispatched: z.number().int().describe('what left the warehouse with shipments: available + reserved + dispatched = added'),
  reservations: z
    .array(z.object({ orderId: z.string(), quantity: z.number().int() }))
    .optional()
    .describe('which orders hold the reserved stock: shown to viewers and above only'),
});
const StockPage = z.object({ items: z.array(StockView), next: z.string().nullable().describe('pass as `after` for the next page; null on the last') });

/** The stock as this caller may see it. */
const view = (row: StoredStock, caller: Principal | undefined): z.infer<typeof StockView> => {
  const [available, reserved] = [Number(row.available), Number(row.reserved)];
  return {
    sku: row.sku,
    added: Number(row.added),
    onHand: available + reserved,
    available,
    reserved,
    dispatched: Number(row.dispatched),
    ...(hasAccess(caller, 'viewer') && { reservations: (row.reservations ?? []).map(({ orderId, quantity }) => ({ orderId, quantity: Number(quantity) })) }),
  };
};

export interface InventoryViewRoutesPorts {
  queries: StockQueries;
  /** How long a request with Read-After waits for the view before answering 503. */
  readAfterTimeoutMs: number;
}

export const inventoryViewRoutes =
  ({ queries, readAfterTimeoutMs }: InventoryViewRoutesPorts) =>
  (app: HttpServer): void => {
    const readAfter = {
      timeoutMs: readAfterTimeoutMs,
      appliedOf: (stream: string) =>
        stream.startsWith(STOCK_PREFIX) && stream.length > STOCK_PREFIX.length ? () => queries.appliedRevision(stream.slice(STOCK_PREFIX.length)) : undefined,
    };

    app.get(
      '/v1/stock/:sku',
      {
        config: { access: 'public' },
        schema: {
          summary: 'The stock of a sku: added, on hand, available, reserved (for viewers, by which orders), dispatched; Read-After waits for a write',
          tags: ['inventory'],
          params: SkuParams,
          response: { 200: StockView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        await awaitReadAfter(request, readAfter);
        const { sku } = request.params;
        // What the answer holds depends on who asks, under one ETag.
        reply.header('vary', 'authorization');
        const row = await queries.bySku(sku, hasAccess(request.principal, 'viewer'));
        if (!row) throw new NotFound(`no stock was ever added or asked for of sku ${sku}`);
        const position = { stream: stockStream(sku), revision: BigInt(row.inventory_revision) };
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return view(row, request.principal);
      },
    );

    app.get(
      '/v1/stock',
      {
        config: { access: 'public' },
        schema: { summary: 'The stock of every sku, in sku order, paged', tags: ['inventory'], querystring: StockListQuery, response: { 200: StockPage } },
      },
      async (request, reply) => {
        await awaitReadAfter(request, readAfter);
        reply.header('vary', 'authorization');
        const { limit, after } = request.query;
        const rows = await queries.list(limit, after, hasAccess(request.principal, 'viewer'));
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return { items: page.map((row) => view(row, request.principal)), next: rows.length > limit && last ? last.sku : null };
      },
    );
  };
