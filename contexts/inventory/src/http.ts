// Inventory's HTTP edge: strict input validated by zod, a typed command built from it,
// the stream revision as the ETag (STYLE.md 4, 5). Reservations do not come this way:
// they arrive as commands on `ordo.inventory.commands` (messaging.ts).
import { z } from 'zod';
import { WrongExpectedRevisionError } from '@ordo/eventstore';
import { commandContext, notModified, setETag, type ErrorMapping, type HttpServer } from '@ordo/http';
import { Sku, stockStream } from '@ordo/inventory-contract';
import type { InventoryHandlers } from './application/handlers';
import { SkuNotInCatalog, StockRuleBroken } from './domain/errors';
import type { Stock } from './domain/inventory';

/** How inventory's errors answer over HTTP: the one place (STYLE.md 4). */
export const errorMappings: ErrorMapping[] = [
  { error: SkuNotInCatalog, status: 404 },
  { error: StockRuleBroken, status: 409 },
  { error: WrongExpectedRevisionError, status: 'concurrency' },
];

// ---- request and response schemas -----------------------------------------------------
const SkuParams = z.strictObject({ sku: Sku });
const AddStockRequest = z.strictObject({ quantity: z.number().int().min(1).max(1_000_000) });
const StockView = z.object({
  sku: Sku,
  added: z.number().int(),
  available: z.number().int(),
  reserved: z.number().int(),
  reservations: z.array(z.object({ orderId: z.string(), quantity: z.number().int() })),
});
type StockView = z.infer<typeof StockView>;

const view = (sku: string, stock: Stock): StockView => ({
  sku,
  added: stock.added,
  available: stock.available,
  reserved: stock.reserved,
  reservations: Object.entries(stock.reservations).map(([orderId, quantity]) => ({ orderId, quantity })),
});

export const inventoryRoutes =
  (handlers: InventoryHandlers, clock: () => Date) =>
  (app: HttpServer): void => {
    app.post(
      '/v1/stock/:sku/additions',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Add stock of a sku catalog has a product for',
          tags: ['inventory'],
          params: SkuParams,
          body: AddStockRequest,
          response: { 200: StockView },
        },
      },
      async (request, reply) => {
        const { sku } = request.params;
        const { state, revision } = await handlers.addStock({ sku, quantity: request.body.quantity }, commandContext(request, clock, 'add-stock'));
        setETag(reply, { stream: stockStream(sku), revision });
        // An addition is not a resource of its own: the answer is the stock it changed.
        return reply.header('content-location', `/v1/stock/${sku}`).send(view(sku, state));
      },
    );

    app.get(
      '/v1/stock/:sku',
      {
        config: { access: 'public' },
        schema: {
          summary: 'The stock of a sku: added, available, reserved, and by which orders (zero for a product with no stock yet)',
          tags: ['inventory'],
          params: SkuParams,
          response: { 200: StockView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        const { sku } = request.params;
        const { state, revision } = await handlers.readStock(sku);
        // Zero stock of a product nothing happened to yet has no stream, so no revision to tag.
        if (revision < 0n) return view(sku, state);
        const position = { stream: stockStream(sku), revision };
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return view(sku, state);
      },
    );
  };
