// Stand-ins for payments and shipping, for version 2 of order placement: they answer its
// commands as those contexts do, by rules a scenario picks with the order's card token and
// country, and count what they were asked, as a test of the real ones counts provider charges.
import { eventIdFor, type EventStore } from '@ordo/eventstore';
import type { TestHost } from '@ordo/host/testing';
import { commandMessageSchema, type CommandMessage } from '@ordo/messaging';
import { paymentStream, type PaymentsCommandMessage } from '@ordo/payments-contract';
import { shipmentStream, type ShippingCommandMessage } from '@ordo/shipping-contract';

/** Payments declines an authorization with this token. */
export const DECLINED_CARD = 'tok_decline';
/** Payments answers an authorization with this token only when a scenario says so (`answerHeldAuthorization`). */
export const HELD_CARD = 'tok_held';
/** Payments answers an authorization with this token twice, under two event ids. */
export const TWICE_CARD = 'tok_twice';
/** Payments refuses the first capture of a payment authorized with this token (an expired authorization), and takes a later round. */
export const CAPTURE_FAILS_CARD = 'tok_capture_fails';
/** Shipping refuses to ship to this country. */
export const UNSERVED_COUNTRY = 'AQ';

type Answer = (store: EventStore, stream: string, command: CommandMessage, type: string, data: object, index?: number) => Promise<unknown>;

/** Appends an answer to a command as a context's handler does: ids and metadata from the command. */
export const answerWith =
  (clock: () => number): Answer =>
  (store, stream, command, type, data, index = 0) =>
    store.appendToStream(
      stream,
      [
        {
          id: eventIdFor(command.commandId, index),
          type,
          data: { ...data, at: new Date(clock()).toISOString() },
          metadata: { correlationId: command.metadata.correlationId, causationId: command.commandId, commandId: command.commandId },
        },
      ],
      { expectedRevision: 'any' },
    );

export const standInPaymentsAndShipping = async (host: TestHost<'payments' | 'shipping'>, answer: Answer) => {
  const { payments, shipping } = host.standIns;
  /** Every command each was sent, by type, as `<orderId>`: what a test counts. */
  const asked = new Map<string, string[]>();
  const authorized = new Map<string, { token: string; amountCents: number }>();
  const failedCaptures = new Set<string>();
  const captured = new Set<string>();
  /** Orders whose parcel left the warehouse: their shipment is not cancelled. */
  const dispatched = new Set<string>();
  const heldAuthorizations = new Map<string, CommandMessage>();
  /** Orders whose CancelShipment shipping leaves unanswered (shipping is down), with the last one sent. */
  const heldCancellations = new Map<string, CommandMessage | undefined>();
  const count = (command: CommandMessage & { data: { orderId: string } }) =>
    asked.set(command.type, [...(asked.get(command.type) ?? []), command.data.orderId]);

  const authorize = async (command: PaymentsCommandMessage & { type: 'AuthorizePayment' }, index = 0) => {
    const { orderId, amountCents, cardToken } = command.data;
    if (cardToken === DECLINED_CARD)
      return void (await answer(payments, paymentStream(orderId), command, 'PaymentDeclined', {
        orderId,
        amountCents,
        currency: 'EUR',
        reason: 'card declined',
      }));
    authorized.set(orderId, { token: cardToken, amountCents });
    await answer(
      payments,
      paymentStream(orderId),
      command,
      'PaymentAuthorized',
      { orderId, authorizationId: `auth-${orderId}`, amountCents, currency: 'EUR' },
      index,
    );
  };
  const payment = async (command: PaymentsCommandMessage) => {
    const { orderId } = command.data;
    const known = authorized.get(orderId);
    switch (command.type) {
      case 'AuthorizePayment':
        if (command.data.cardToken === HELD_CARD) return void heldAuthorizations.set(orderId, command);
        await authorize(command);
        if (command.data.cardToken === TWICE_CARD) await authorize(command, 1);
        return;
      case 'VoidPayment':
        authorized.delete(orderId);
        return void (await answer(payments, paymentStream(orderId), command, 'PaymentVoided', { orderId, amountCents: known?.amountCents ?? 0 }));
      case 'CapturePayment':
        if (!known) return void (await answer(payments, paymentStream(orderId), command, 'PaymentCaptureFailed', { orderId, reason: 'nothing authorized' }));
        if (known.token === CAPTURE_FAILS_CARD && !failedCaptures.has(orderId)) {
          failedCaptures.add(orderId);
          return void (await answer(payments, paymentStream(orderId), command, 'PaymentCaptureFailed', { orderId, reason: 'the authorization expired' }));
        }
        captured.add(orderId);
        return void (await answer(payments, paymentStream(orderId), command, 'PaymentCaptured', {
          orderId,
          authorizationId: `auth-${orderId}`,
          captureId: `capture-${orderId}`,
          amountCents: known.amountCents,
        }));
      case 'CancelPayment': {
        // As payments decides it: a captured payment is refunded, anything else voided.
        const { reason } = command.data;
        if (captured.has(orderId) && known)
          return void (await answer(payments, paymentStream(orderId), command, 'PaymentRefunded', {
            orderId,
            refundId: `refund-${orderId}`,
            amountCents: known.amountCents,
            reason,
          }));
        authorized.delete(orderId);
        return void (await answer(payments, paymentStream(orderId), command, 'PaymentVoided', { orderId, amountCents: known?.amountCents ?? 0 }));
      }
      default:
        throw new Error(`the payments stand-in takes no ${command.type}`);
    }
  };
  const shipment = async (command: ShippingCommandMessage) => {
    const { orderId } = command.data;
    if (command.type === 'CancelShipment' && dispatched.has(orderId)) {
      const reason = `the shipment of order ${orderId} was dispatched: it can no longer be cancelled`;
      return void (await answer(shipping, shipmentStream(orderId), command, 'ShipmentCancellationRefused', {
        orderId,
        shipmentId: `shipment-${orderId}`,
        reason,
      }));
    }
    if (command.type === 'CancelShipment' && heldCancellations.has(orderId)) return void heldCancellations.set(orderId, command);
    if (command.type === 'CancelShipment')
      return void (await answer(shipping, shipmentStream(orderId), command, 'ShipmentCancelled', { orderId, reason: command.data.reason, wasScheduled: true }));
    const { address, lines } = command.data;
    if (address.country === UNSERVED_COUNTRY)
      return void (await answer(shipping, shipmentStream(orderId), command, 'ShipmentRefused', {
        orderId,
        reason: `shipping does not serve ${UNSERVED_COUNTRY}`,
      }));
    await answer(shipping, shipmentStream(orderId), command, 'ShipmentScheduled', { orderId, shipmentId: `shipment-${orderId}`, address, lines });
  };

  const parse = (value: unknown) => commandMessageSchema.parse(value) as CommandMessage;
  await host.standInBus.consume({
    groupId: 'payments-stand-in',
    topics: ['ordo.payments.commands'],
    parse,
    handle: async ({ value }) => {
      count(value as PaymentsCommandMessage);
      await payment(value as PaymentsCommandMessage);
    },
  });
  await host.standInBus.consume({
    groupId: 'shipping-stand-in',
    topics: ['ordo.shipping.commands'],
    parse,
    handle: async ({ value }) => {
      count(value as ShippingCommandMessage);
      await shipment(value as ShippingCommandMessage);
    },
  });

  return {
    /** The orders each command type was sent for, once per sending. */
    asked: (type: string) => asked.get(type) ?? [],
    /** The warehouse dispatches the order's shipment: a cancellation of it is refused from now on. */
    dispatch: (orderId: string) => void dispatched.add(orderId),
    /** Shipping answers no CancelShipment of the order until `answerHeldShipmentCancellation`. */
    holdShipmentCancellation: (orderId: string) => void heldCancellations.set(orderId, undefined),
    /** Shipping answers the order's CancelShipment at last: the shipment cancelled. */
    answerHeldShipmentCancellation: async (orderId: string) => {
      const command = heldCancellations.get(orderId);
      if (command?.type !== 'CancelShipment') throw new Error(`shipping holds no CancelShipment for order ${orderId}`);
      heldCancellations.delete(orderId);
      await shipment(command as ShippingCommandMessage);
    },
    /** Payments answers the held authorization of the order at last. */
    answerHeldAuthorization: async (orderId: string) => {
      const command = heldAuthorizations.get(orderId);
      if (command?.type !== 'AuthorizePayment') throw new Error(`payments holds no authorization for order ${orderId}`);
      heldAuthorizations.delete(orderId);
      await authorize(command as PaymentsCommandMessage & { type: 'AuthorizePayment' });
    },
  };
};
