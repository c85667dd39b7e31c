// One order's shipment (stream `shipment-<orderId>`) as a decider: three pure functions.
// Time and the new shipment's id arrive in the command's metadata; nothing here reads a
// clock or makes an id. The saga's commands are always answered with an event; only the
// warehouse's dispatch, over HTTP, is refused by a throw. A command's shape (at least one
// line, positive whole quantities; a carrier's length) is checked where it arrives, by the
// contract's schema on the command topic and the HTTP schema, and not again here: what is
// left is what the shipment's history and shipping's business decide (the countries served).
import type { Address, CancelShipment, DispatchShipment, ScheduleShipment, ShipmentLine, ShippingEvent } from '@ordo/shipping-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { isSupportedCountry, normalCountry, SUPPORTED_COUNTRIES } from './countries';
import { ShipmentDispatchedOtherwise, ShipmentNotFound, ShipmentNotScheduled, ShipmentWasCancelled } from './errors';

export type ShipmentCommand =
  | Command<'ScheduleShipment', ScheduleShipment, { shipmentId: string }>
  | Command<'CancelShipment', CancelShipment>
  | Command<'DispatchShipment', DispatchShipment>;

/** What a scheduled shipment is: kept through dispatch, and through a cancellation for the record. */
export interface Scheduled {
  orderId: string;
  shipmentId: string;
  address: Address;
  lines: ShipmentLine[];
  scheduledAt: string;
}

export type Shipment =
  | { status: 'none' }
  | { status: 'refused'; orderId: string; reason: string; refusedAt: string }
  | ({ status: 'scheduled' } & Scheduled)
  | ({ status: 'dispatched'; carrier?: string; trackingNumber?: string; dispatchedAt: string } & Scheduled)
  | { status: 'cancelled'; orderId: string; reason: string; cancelledAt: string; scheduled?: Scheduled };

export const initialState = (): Shipment => ({ status: 'none' });

const scheduledPart = ({ orderId, shipmentId, address, lines, scheduledAt }: Scheduled): Scheduled => ({ orderId, shipmentId, address, lines, scheduledAt });

// Each event changes only the states it can follow: a repeated answer (ShipmentScheduled
// for a shipment scheduled already, ShipmentCancelled for one cancelled already) changes nothing.
export const evolve = (state: Shipment, event: ShippingEvent): Shipment => {
  switch (event.type) {
    case 'ShipmentScheduled': {
      if (state.status !== 'none' && state.status !== 'refused') return state;
      const { orderId, shipmentId, address, lines, at } = event.data;
      return { status: 'scheduled', orderId, shipmentId, address, lines, scheduledAt: at };
    }
    case 'ShipmentRefused': {
      if (state.status !== 'none' && state.status !== 'refused') return state;
      const { orderId, reason, at } = event.data;
      return { status: 'refused', orderId, reason, refusedAt: at };
    }
    case 'ShipmentCancelled': {
      if (state.status === 'cancelled' || state.status === 'dispatched') return state;
      const { orderId, reason, at } = event.data;
      return { status: 'cancelled', orderId, reason, cancelledAt: at, ...(state.status === 'scheduled' && { scheduled: scheduledPart(state) }) };
    }
    case 'ShipmentCancellationRefused':
      return state;
    case 'ShipmentDispatched': {
      if (state.status !== 'scheduled') return state;
      const { carrier, trackingNumber, at } = event.data;
      return {
        ...state,
        status: 'dispatched',
        ...(carrier !== undefined && { carrier }),
        ...(trackingNumber !== undefined && { trackingNumber }),
        dispatchedAt: at,
      };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown shipping event ${JSON.stringify(unknown)}`);
    }
  }
};

const refused = (orderId: string, reason: string, at: string): ShippingEvent[] => [{ type: 'ShipmentRefused', data: { orderId, reason, at } }];

const schedule = (command: Extract<ShipmentCommand, { type: 'ScheduleShipment' }>, state: Shipment): ShippingEvent[] => {
  const at = command.metadata.now;
  const { orderId, address, lines } = command.data;
  switch (state.status) {
    case 'scheduled':
    case 'dispatched': {
      // Scheduled already, under another command id: the first scheduling stands and is the answer.
      const { shipmentId, address: scheduledTo, lines: scheduledLines } = state;
      return [{ type: 'ShipmentScheduled', data: { orderId: state.orderId, shipmentId, address: scheduledTo, lines: scheduledLines, at } }];
    }
    case 'cancelled':
      // A cancellation wins over a scheduling that arrives after it: the order is being rolled back.
      return refused(orderId, `the shipment of order ${orderId} was cancelled (${state.reason}): it is not scheduled again`, at);
    case 'none':
    case 'refused': {
      const country = normalCountry(address.country);
      if (!isSupportedCountry(country)) {
        return refused(orderId, `shipping to '${address.country}' is not supported; shipping serves ${SUPPORTED_COUNTRIES.join(', ')}`, at);
      }
      const shipmentId = command.metadata.shipmentId;
      return [{ type: 'ShipmentScheduled', data: { orderId, shipmentId, address: { ...address, country }, lines, at } }];
    }
    default: {
      const unknown: never = state;
      throw new Error(`unknown shipment state ${JSON.stringify(unknown)}`);
    }
  }
};

const cancel = (command: Extract<ShipmentCommand, { type: 'CancelShipment' }>, state: Shipment): ShippingEvent[] => {
  const at = command.metadata.now;
  const { orderId, reason } = command.data;
  if (state.status === 'dispatched') {
    const why = `the shipment of order ${orderId} was dispatched at ${state.dispatchedAt}: it can no longer be cancelled`;
    return [{ type: 'ShipmentCancellationRefused', data: { orderId, shipmentId: state.shipmentId, reason: why, at } }];
  }
  if (state.status === 'scheduled') {
    return [{ type: 'ShipmentCancelled', data: { orderId, shipmentId: state.shipmentId, reason, wasScheduled: true, at } }];
  }
  // Nothing to cancel; still an answer, and it bars a later scheduling.
  return [{ type: 'ShipmentCancelled', data: { orderId, reason, wasScheduled: false, at } }];
};

const dispatch = (command: Extract<ShipmentCommand, { type: 'DispatchShipment' }>, state: Shipment): ShippingEvent[] => {
  const at = command.metadata.now;
  const { orderId, carrier, trackingNumber } = command.data;
  switch (state.status) {
    case 'none':
      throw new ShipmentNotFound(orderId);
    case 'refused':
      throw new ShipmentNotScheduled(orderId);
    case 'cancelled':
      throw new ShipmentWasCancelled(orderId);
    case 'dispatched': {
      // A warehouse retrying its dispatch is answered as the first time; one claiming another parcel is a conflict.
      const differs = (given: string | undefined, recorded: string | undefined) => given !== undefined && given !== recorded;
      if (differs(carrier, state.carrier) || differs(trackingNumber, state.trackingNumber)) throw new ShipmentDispatchedOtherwise(orderId, state);
      return [];
    }
    case 'scheduled': {
      const { shipmentId, lines } = state;
      return [
        {
          type: 'ShipmentDispatched',
          data: { orderId, shipmentId, lines, ...(carrier !== undefined && { carrier }), ...(trackingNumber !== undefined && { trackingNumber }), at },
        },
      ];
    }
    default: {
      const unknown: never = state;
      throw new Error(`unknown shipment state ${JSON.stringify(unknown)}`);
    }
  }
};

export const decide = (command: ShipmentCommand, state: Shipment): ShippingEvent[] => {
  switch (command.type) {
    case 'ScheduleShipment':
      return schedule(command, state);
    case 'CancelShipment':
      return cancel(command, state);
    case 'DispatchShipment':
      return dispatch(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown shipping command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The decider as one value, for the command handler and the test kit. */
export const shipmentDecider: Decider<Shipment, ShipmentCommand, ShippingEvent> = { initialState, evolve, decide };
