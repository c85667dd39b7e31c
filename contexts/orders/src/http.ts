// Orders' HTTP API: strict zod input becomes a typed command; responses
// carry the order's stream revision as their ETag, which a client sends back
// in Read-After to the orders view (read-models/orders-view), where orders are read.
import { z } from 'zod';
import { WrongExpectedRevisionError } from '@ordo/eventstore';
import {
  callerScope,
  commandContext,
  hasAccess,
  NotFound,
  printableText,
  requestDerivedId,
  setETag,
  type Access,
  type ErrorMapping,
  type HttpServer,
} from '@ordo/http';
import { CardToken, OrderStatus, orderStream, Sku } from '@ordo/orders-contract';
import type { OrdersHandlers, PlacedOrder, PriceTable } from './application/handlers';
import { OrderAlreadyExists, OrderLinesRefused, OrderNotFound, OrderRuleBroken, pathOf, UnknownCustomer } from './domain/errors';

// ---- input -----------------------------------------------------------------------

// The request's bounds only; the rules of an order's lines (each sku once, each priced)
// are the decider's, which names the lines at fault.
const PlaceOrderBody = z.strictObject({
  customerId: z
    .uuid()
    .describe('a customer registered with customers by the caller (any customer for an operator): orders checks it, and ships to its address'),
  lines: z
    .array(z.strictObject({ sku: Sku, quantity: z.number().int().min(1).max(1000) }))
    .min(1)
    .max(50),
  cardToken: CardToken.optional().describe(
    'a payment provider token for the card to pay with, passed on to payments untouched (the five-step saga rejects an order without one)',
  ),
});

const OrderParams = z.strictObject({ id: z.uuid() });

const CancelOrderBody = z.strictObject({ reason: printableText(1, 500).describe('why the order is cancelled: the cancelled order keeps it') });
const PriceParams = z.strictObject({ sku: Sku });

// ---- output ----------------------------------------------------------------------

const OrderView = z.object({
  orderId: z.uuid(),
  customerId: z.uuid().optional().describe('absent on orders placed before orders checked customers'),
  status: OrderStatus,
  reason: z.string().optional().describe('why the order was rejected or cancelled'),
  cancellation: z
    .object({ reason: z.string(), requestedAt: z.string() })
    .optional()
    .describe('a cancellation asked for and still under way: the order ends cancelled, or goes on if its shipment had left'),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
  totalCents: z.number().int(),
});
const PriceView = z.object({ sku: z.string(), name: z.string(), priceCents: z.number().int() });

const view = (order: PlacedOrder): z.infer<typeof OrderView> => ({
  orderId: order.orderId,
  ...(order.customerId !== undefined && { customerId: order.customerId }),
  status: order.status,
  ...((order.status === 'rejected' || order.status === 'cancelled') && { reason: order.reason }),
  ...((order.status === 'pending' || order.status === 'confirmed' || order.status === 'shipped') && order.cancellation && { cancellation: order.cancellation }),
  lines: order.lines,
  totalCents: order.totalCents,
});

/** The one place orders' errors become HTTP statuses. */
export const ordersErrorMappings: ErrorMapping[] = [
  { error: OrderAlreadyExists, status: 409 },
  {
    error: UnknownCustomer,
    status: 400,
    fields: (error: UnknownCustomer) => [{ in: 'body', path: '/customerId', message: `no customer ${error.customerId}` }],
  },
  {
    error: OrderLinesRefused,
    status: 400,
    fields: (error: OrderLinesRefused) => error.problems.map((problem) => ({ in: 'body' as const, path: pathOf(problem), message: problem.message })),
  },
  { error: OrderRuleBroken, status: 409 },
  { error: OrderNotFound, status: 404 },
  { error: WrongExpectedRevisionError, status: 'concurrency' },
];

/**
 * Who may place an order for a customer someone else registered: operators and above, as
 * for changing a customer's address. A viewer reads; it does not act for customers.
 */
const ORDERS_FOR_ANY_CUSTOMER: Access = 'operator';
/** Who may cancel an order someone else placed: operators and above. A viewer reads orders; it does not cancel them. */
const CANCELS_ANY_ORDER: Access = 'operator';

export interface OrdersRoutesPorts {
  handlers: OrdersHandlers;
  prices: PriceTable;
  clock: () => Date;
  /** Callers without a token act as customers: placing and reading orders is then public. */
  anonymousCustomers: boolean;
}

export const ordersRoutes =
  ({ handlers, prices, clock, anonymousCustomers }: OrdersRoutesPorts) =>
  (app: HttpServer): void => {
    const customers = anonymousCustomers ? 'public' : 'customer';
    app.post(
      '/v1/orders',
      {
        // The saga settles it later: refused while orders settle slowly (the order path is backed up).
        config: { access: customers, startsWork: true },
        schema: { summary: 'Place an order, priced from orders’ copy of the catalog', tags: ['orders'], body: PlaceOrderBody, response: { 201: OrderView } },
      },
      async (request, reply) => {
        // With an Idempotency-Key a retried request maps to the same order and command, so it
        // places nothing twice even after the host's stored answer has expired.
        const orderId = requestDerivedId(request, 'order');
        const context = commandContext(request, clock, 'place-order');
        const actsForAnyCustomer = hasAccess(request.principal, ORDERS_FOR_ANY_CUSTOMER);
        const { order, revision } = await handlers.placeOrder({ orderId, owner: callerScope(request), actsForAnyCustomer, ...request.body }, context);
        setETag(reply, { stream: orderStream(orderId), revision });
        return reply.code(201).header('location', `/v1/orders/${orderId}`).send(view(order));
      },
    );

    app.post(
      '/v1/orders/:id/cancellation',
      {
        config: { access: customers },
        schema: {
          summary: 'Cancel an order that has not shipped, as its owner or an operator: the sagas undo its stock, payment and shipment',
          tags: ['orders'],
          params: OrderParams,
          body: CancelOrderBody,
          response: { 202: OrderView },
        },
      },
      async (request, reply) => {
        const { id: orderId } = request.params;
        const context = commandContext(request, clock, 'cancel-order');
        const by = callerScope(request);
        const actsForAnyOrder = hasAccess(request.principal, CANCELS_ANY_ORDER);
        const { order, revision } = await handlers.cancelOrder({ orderId, reason: request.body.reason, by, actsForAnyOrder }, context);
        setETag(reply, { stream: orderStream(orderId), revision });
        // Accepted: the sagas carry the cancellation out; the order shows it under way, then cancelled.
        return reply.code(202).header('location', `/v1/orders/${orderId}`).send(view(order));
      },
    );

    app.get(
      '/v1/prices/:sku',
      {
        config: { access: 'public' },
        schema: {
          summary: 'The price orders charges for a sku (its copy of the catalog)',
          tags: ['prices'],
          params: PriceParams,
          response: { 200: PriceView },
        },
      },
      async (request) => {
        const { sku } = request.params;
        const price = (await prices.pricesOf([sku])).get(sku);
        if (!price) throw new NotFound(`orders has no price for sku ${sku}`);
        return { sku, ...price };
      },
    );
  };
