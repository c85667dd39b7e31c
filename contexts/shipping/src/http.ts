// Shipping's HTTP edge: the warehouse dispatches, staff read. Scheduling and cancelling
// do not come this way: they arrive as commands on `ordo.shipping.commands` (messaging.ts).
import { z } from 'zod';
import { WrongExpectedRevisionError } from '@ordo/eventstore';
import { commandContext, expectedRevisionFromIfMatch, NotFound, notModified, setETag, type ErrorMapping, type HttpServer, printableText } from '@ordo/http';
import { OrderId, shipmentStream, ShipmentView } from '@ordo/shipping-contract';
import type { ShippingHandlers } from './application/handlers';
import { ShipmentDispatchedOtherwise, ShipmentNotFound, ShipmentNotScheduled, ShipmentWasCancelled } from './domain/errors';
import type { Shipment } from './domain/shipment';

/** How shipping's errors answer over HTTP: the one place. */
export const shippingErrorMappings: ErrorMapping[] = [
  { error: ShipmentNotFound, status: 404 },
  { error: ShipmentNotScheduled, status: 409 },
  { error: ShipmentWasCancelled, status: 409 },
  { error: ShipmentDispatchedOtherwise, status: 409 },
  // 409, or 412 when the client sent If-Match.
  { error: WrongExpectedRevisionError, status: 'concurrency' },
];

// ---- request schemas --------------------------------------------------------------------
const OrderParams = z.strictObject({ orderId: OrderId });
const Label = printableText(1, 100);
// Optional as a whole: a warehouse may send no body at all, which the server reads as null (as it does a JSON null).
const DispatchRequest = z.strictObject({ carrier: Label.optional(), trackingNumber: Label.optional() }).nullish();

/** The shipment as the edge shows it; undefined for an order shipping never heard of. */
const view = (shipment: Shipment): ShipmentView | undefined => {
  switch (shipment.status) {
    case 'none':
      return undefined;
    case 'refused':
      return { orderId: shipment.orderId, status: 'refused', reason: shipment.reason, updatedAt: shipment.refusedAt };
    case 'scheduled': {
      const { orderId, shipmentId, address, lines, scheduledAt } = shipment;
      return { orderId, status: 'scheduled', shipmentId, address, lines, updatedAt: scheduledAt };
    }
    case 'dispatched': {
      const { orderId, shipmentId, address, lines, carrier, trackingNumber, dispatchedAt } = shipment;
      return {
        orderId,
        status: 'dispatched',
        shipmentId,
        address,
        lines,
        ...(carrier !== undefined && { carrier }),
        ...(trackingNumber !== undefined && { trackingNumber }),
        updatedAt: dispatchedAt,
      };
    }
    case 'cancelled': {
      const { orderId, reason, cancelledAt, scheduled } = shipment;
      const was = scheduled && { shipmentId: scheduled.shipmentId, address: scheduled.address, lines: scheduled.lines };
      return { orderId, status: 'cancelled', ...was, reason, updatedAt: cancelledAt };
    }
    default: {
      const unknown: never = shipment;
      throw new Error(`unknown shipment state ${JSON.stringify(unknown)}`);
    }
  }
};

/** After a dispatch that succeeded, the shipment exists. */
const shown = (shipment: Shipment): ShipmentView => {
  const shipmentView = view(shipment);
  if (!shipmentView) throw new Error('a dispatch succeeded but left no shipment');
  return shipmentView;
};

export interface ShippingRoutesPorts {
  handlers: ShippingHandlers;
  clock: () => Date;
}

export const shippingRoutes =
  ({ handlers, clock }: ShippingRoutesPorts) =>
  (app: HttpServer): void => {
    app.post(
      '/v1/shipments/:orderId/dispatch',
      {
        // The warehouse's role (docs/security.md).
        config: { access: 'operator' },
        schema: {
          summary: "Record that an order's shipment left the warehouse; a repeat with the same (or no) carrier and tracking number changes nothing",
          tags: ['shipping'],
          params: OrderParams,
          body: DispatchRequest,
          response: { 200: ShipmentView },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const stream = shipmentStream(orderId);
        const expectedRevision = expectedRevisionFromIfMatch(request, stream);
        const { state, revision } = await handlers.dispatchShipment({ orderId, ...request.body }, commandContext(request, clock, 'dispatch-shipment'), {
          expectedRevision,
        });
        setETag(reply, { stream, revision });
        // A dispatch is not a resource of its own: the answer is the shipment it changed.
        return reply.header('content-location', `/v1/shipments/${orderId}`).send(shown(state));
      },
    );

    app.get(
      '/v1/shipments/:orderId',
      {
        config: { access: 'viewer' },
        schema: {
          summary: "An order's shipment: scheduled, refused, cancelled or dispatched",
          tags: ['shipping'],
          params: OrderParams,
          response: { 200: ShipmentView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const { state, revision } = await handlers.readShipment(orderId);
        const shipment = view(state);
        if (!shipment) throw new NotFound(`there is no shipment for order ${orderId}`);
        const position = { stream: shipmentStream(orderId), revision };
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return shipment;
      },
    );
  };
