// Catalog's HTTP edge: strict input validated by zod, a typed command built from it,
// the stream revision as the ETag, If-Match for updates.
import { z } from 'zod';
import { PriceCents, productStream, Sku } from '@ordo/catalog-contract';
import { WrongExpectedRevisionError } from '@ordo/eventstore';
import { commandContext, expectedRevisionFromIfMatch, NotFound, notModified, setETag, type ErrorMapping, type HttpServer, printableText } from '@ordo/http';
import type { CatalogHandlers } from './application/handlers';
import type { Product } from './domain/product';
import { ProductAlreadyExists, ProductNotFound } from './domain/errors';

/** How catalog's errors answer over HTTP: the one place. */
export const catalogErrorMappings: ErrorMapping[] = [
  { error: ProductAlreadyExists, status: 409 },
  { error: ProductNotFound, status: 404 },
  // 409, or 412 when the client sent If-Match.
  { error: WrongExpectedRevisionError, status: 'concurrency' },
];

// ---- request and response schemas -----------------------------------------------------
// A request's bounds are checked here and only here (a 400 naming the field); the decider
// takes what passed them.

/** Prices stay exact integers, far from where sums of them (an order's total) would lose precision. */
export const MAX_PRICE_CENTS = 1_000_000_000;

const SkuParams = z.strictObject({ sku: Sku });
const Price = PriceCents.max(MAX_PRICE_CENTS);
/** The name is trimmed, and must hold something once trimmed. */
const AddProductRequest = z.strictObject({ sku: Sku, name: printableText(1, 200), priceCents: Price });
const ChangePriceRequest = z.strictObject({ priceCents: Price });
const ProductView = z.object({ sku: Sku, name: z.string(), priceCents: z.number().int() });
type ProductView = z.infer<typeof ProductView>;

const view = (product: Product): ProductView | undefined =>
  product.status === 'listed' ? { sku: product.sku, name: product.name, priceCents: product.priceCents } : undefined;

/** After a command that succeeded, the product is listed. */
const listed = (product: Product): ProductView => {
  const shown = view(product);
  if (!shown) throw new Error('a catalog command succeeded but left the product unlisted');
  return shown;
};

export interface CatalogRoutesPorts {
  handlers: CatalogHandlers;
  clock: () => Date;
}

export const catalogRoutes =
  ({ handlers, clock }: CatalogRoutesPorts) =>
  (app: HttpServer): void => {
    app.post(
      '/v1/products',
      {
        config: { access: 'operator' },
        schema: {
          summary: 'List a product',
          tags: ['catalog'],
          body: AddProductRequest,
          response: { 201: ProductView },
        },
      },
      async (request, reply) => {
        const { state, revision } = await handlers.addProduct(request.body, commandContext(request, clock, 'add-product'));
        const { sku } = request.body;
        setETag(reply, { stream: productStream(sku), revision });
        return reply.code(201).header('location', `/v1/products/${sku}`).send(listed(state));
      },
    );

    app.put(
      '/v1/products/:sku/price',
      {
        config: { access: 'operator' },
        schema: {
          summary: "Change a product's price; send If-Match with its ETag to change only the price you saw",
          tags: ['catalog'],
          params: SkuParams,
          body: ChangePriceRequest,
          response: { 200: ProductView },
        },
      },
      async (request, reply) => {
        const { sku } = request.params;
        const stream = productStream(sku);
        const expectedRevision = expectedRevisionFromIfMatch(request, stream);
        const { state, revision } = await handlers.changePrice({ sku, priceCents: request.body.priceCents }, commandContext(request, clock, 'change-price'), {
          expectedRevision,
        });
        setETag(reply, { stream, revision });
        return listed(state);
      },
    );

    app.get(
      '/v1/products/:sku',
      {
        config: { access: 'public' },
        schema: {
          summary: 'A product: its name and price',
          tags: ['catalog'],
          params: SkuParams,
          response: { 200: ProductView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        const { sku } = request.params;
        const { state, revision } = await handlers.readProduct(sku);
        const product = view(state);
        if (!product) throw new NotFound(`product ${sku} does not exist`);
        const position = { stream: productStream(sku), revision };
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return product;
      },
    );
  };
