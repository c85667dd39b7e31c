// Inventory's HTTP edge: strict input validated by zod, a typed command built from it,
// the stream revision as the ETag (a client sends it back in Read-After to the inventory
// view, read-models/inventory-view, where stock is read). Reservations do not come this way: they arrive as
// commands on `ordo.inventory.commands`, and commits as shipping's dispatches (messaging.ts).
import { z } from 'zod';
import { WrongExpectedRevisionError } from '@ordo/eventstore';
import { commandContext, hasAccess, setETag, type ErrorMapping, type HttpServer, type Principal } from '@ordo/http';
import { Sku, stockStream } from '@ordo/inventory-contract';
import type { InventoryHandlers } from './application/handlers';
import { SkuNotInCatalog, StockRuleBroken } from './domain/errors';
import type { Stock } from './domain/stock';

/** How inventory's errors answer over HTTP: the one place. */
export const inventoryErrorMappings: ErrorMapping[] = [
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
  dispatched: z.number().int().describe('what left the warehouse with shipments: available + reserved + dispatched = added'),
  reservations: z
    .array(z.object({ orderId: z.string(), quantity: z.number().int() }))
    .optional()
    .describe('which orders hold the reserved stock: shown to viewers and above only'),
});
type StockView = z.infer<typeof StockView>;

/** The stock as this caller may see it: which orders hold stock is for viewers and above. */
const view = (sku: string, stock: Stock, caller: Principal | undefined): StockView => ({
  sku,
  added: stock.added,
  available: stock.available,
  reserved: stock.reserved,
  dispatched: stock.dispatched,
  ...(hasAccess(caller, 'viewer') && { reservations: [...stock.reservations].map(([orderId, quantity]) => ({ orderId, quantity })) }),
});

export interface InventoryRoutesPorts {
  handlers: InventoryHandlers;
  clock: () => Date;
}

export const inventoryRoutes =
  ({ handlers, clock }: InventoryRoutesPorts) =>
  (app: HttpServer): void => {
    app.post(
      '/v1/stock/:sku/additions',
      {
        config: { access: 'operator' },
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
        return reply.header('content-location', `/v1/stock/${sku}`).send(view(sku, state, request.principal));
      },
    );
  };
