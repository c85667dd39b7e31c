// The orders view's HTTP API: one order, and lists filtered and paged by keyset. An order
// is shown to the caller who placed it and to viewers and above; a customer's list holds
// its own orders only. A request with Read-After waits until the view holds that write.
import { z } from 'zod';
import { awaitReadAfter, callerScope, hasAccess, NotFound, notModified, setETag, type HttpServer } from '@ordo/http';
import { OrderStatus, orderStream, Sku } from '@ordo/orders-contract';
import { ORDER_SOURCES, type OrderSource } from './order-row';
import type { OrdersQueries, StoredOrder } from './queries';
import { cursorAfter, OrderView, orderView, readCursor } from './view';

const OrderParams = z.strictObject({ id: z.uuid() });
const OrderListQuery = z.strictObject({
  status: OrderStatus.optional(),
  customer: z.uuid().optional().describe('the customer the orders were placed for'),
  sku: Sku.optional().describe('orders with a line of this sku'),
  placedFrom: z.iso.datetime({ offset: true }).optional().describe('placed at or after'),
  placedTo: z.iso.datetime({ offset: true }).optional().describe('placed before'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().max(200).optional().describe('the `next` of the page before'),
});
const OrderPage = z.object({
  items: z.array(OrderView),
  next: z.string().nullable().describe('pass as `after` for the next page; null on the last'),
});

export interface OrdersViewRoutesPorts {
  queries: OrdersQueries;
  /** Callers without a token act as customers: reading one's own orders is then public. */
  anonymousCustomers: boolean;
  /** How long a request with Read-After waits for the view before answering 503. */
  readAfterTimeoutMs: number;
}

/** The source a stream of the view belongs to, and the order it names. */
const sourceOfStream = (stream: string): { source: OrderSource; orderId: string } | undefined => {
  for (const [source, { prefix }] of Object.entries(ORDER_SOURCES))
    if (stream.startsWith(prefix) && stream.length > prefix.length) return { source: source as OrderSource, orderId: stream.slice(prefix.length) };
  return undefined;
};

export const ordersViewRoutes =
  ({ queries, anonymousCustomers, readAfterTimeoutMs }: OrdersViewRoutesPorts) =>
  (app: HttpServer): void => {
    const customers = anonymousCustomers ? 'public' : 'customer';
    const readAfter = {
      timeoutMs: readAfterTimeoutMs,
      appliedOf: (stream: string) => {
        const found = sourceOfStream(stream);
        return found && (() => queries.appliedRevision(found.source, found.orderId));
      },
    };
    // An order recorded without an owner is the viewers' alone.
    const mayRead = (order: StoredOrder, principal: Parameters<typeof hasAccess>[0], scope: string) =>
      hasAccess(principal, 'viewer') || (order.owner !== null && order.owner === scope);

    app.get(
      '/v1/orders/:id',
      {
        config: { access: customers },
        schema: {
          summary: 'An order with its payment and shipment, for the caller who placed it or a viewer; Read-After waits for a write',
          tags: ['orders'],
          params: OrderParams,
          response: { 200: OrderView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        await awaitReadAfter(request, readAfter);
        const order = await queries.byId(request.params.id);
        // Someone else's order answers as a missing one: its id's existence stays unknown.
        if (!order || !mayRead(order, request.principal, callerScope(request))) throw new NotFound(`no order ${request.params.id}`);
        const position = { stream: orderStream(order.order_id), revision: BigInt(order.orders_revision) };
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return orderView(order);
      },
    );

    app.get(
      '/v1/orders',
      {
        config: { access: customers },
        schema: {
          summary: 'Orders, newest placed first, filtered and paged: a customer sees its own, a viewer every one',
          tags: ['orders'],
          querystring: OrderListQuery,
          response: { 200: OrderPage },
        },
      },
      async (request) => {
        await awaitReadAfter(request, readAfter);
        const { limit, after, ...filter } = request.query;
        const owner = hasAccess(request.principal, 'viewer') ? {} : { owner: callerScope(request) };
        const rows = await queries.list({ ...filter, ...owner }, limit, after === undefined ? undefined : readCursor(after));
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return { items: page.map(orderView), next: rows.length > limit && last ? cursorAfter(last) : null };
      },
    );
  };
