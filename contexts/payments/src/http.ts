// Payments' HTTP edge: one read, for operators and support (viewer and above). Every
// change to a payment comes from the saga on the command topic (messaging.ts).
import { z } from 'zod';
import { NotFound, notModified, setETag, type ErrorMapping, type HttpServer } from '@ordo/http';
import { OrderId, paymentStream, PaymentView } from '@ordo/payments-contract';
import type { PaymentsHandlers } from './application/handlers';
import type { Payment } from './domain/payment';

/**
 * How payments' errors answer over HTTP: none of its domain errors reaches a route (a
 * refusal is an event, and the read refuses nothing), so the chassis's defaults apply.
 */
export const paymentsErrorMappings: ErrorMapping[] = [];

const OrderParams = z.strictObject({ orderId: OrderId });

const view = (orderId: string, payment: Exclude<Payment, { status: 'none' }>): PaymentView => {
  const { status, amountCents, currency, at } = payment;
  const captured = status === 'captured' || status === 'refunded';
  return {
    orderId,
    status,
    amountCents,
    ...(currency === undefined ? {} : { currency }),
    capturedCents: captured ? amountCents : 0,
    refundedCents: status === 'refunded' ? amountCents : 0,
    ...('authorizationId' in payment && payment.authorizationId !== undefined && { authorizationId: payment.authorizationId }),
    ...('captureId' in payment && { captureId: payment.captureId }),
    ...('refundId' in payment && { refundId: payment.refundId }),
    ...('reason' in payment && { reason: payment.reason }),
    updatedAt: at,
  };
};

export interface PaymentsRoutesPorts {
  handlers: PaymentsHandlers;
}

export const paymentsRoutes =
  ({ handlers }: PaymentsRoutesPorts) =>
  (app: HttpServer): void => {
    app.get(
      '/v1/payments/:orderId',
      {
        config: { access: 'viewer' },
        schema: {
          summary: "An order's payment: its status, amounts and the provider's ids",
          tags: ['payments'],
          params: OrderParams,
          response: { 200: PaymentView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        const { orderId } = request.params;
        const { state, revision } = await handlers.readPayment(orderId);
        if (state.status === 'none') throw new NotFound(`order ${orderId} has no payment`);
        const position = { stream: paymentStream(orderId), revision };
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return view(orderId, state);
      },
    );
  };
