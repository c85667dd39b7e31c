// One function per command: load the shipment, decide, append. The command topic
// (ScheduleShipment, CancelShipment) and HTTP (DispatchShipment) both come through here.
import { v5 as uuidv5 } from 'uuid';
import { commandHandler, type CommandContext, type EventStore, type HandleOptions } from '@ordo/eventstore';
import { shipmentStream, type CancelShipment, type DispatchShipment, type ScheduleShipment } from '@ordo/shipping-contract';
import { shipmentDecider, type ShipmentCommand } from '../domain/shipment';

// Its own namespace: a shipment id never equals an event id derived from the same command id.
const SHIPMENT_NAMESPACE = '8e3f0a52-6d1b-4c7e-9b2a-5f4d3c2b1a09';

/** A retried ScheduleShipment (the same command id) derives the same shipment id, should its first append be lost. */
export const shipmentIdFor = (commandId: string): string => uuidv5(`shipment/${commandId}`, SHIPMENT_NAMESPACE);

export const shippingHandlers = ({ store }: { store: EventStore }) => {
  // A shipment's stream is a handful of events: loaded whole, no snapshots.
  const shipments = commandHandler({ store, aggregate: shipmentDecider });

  // The context's ids go into the events; its time (and a new shipment's id) into the command, for the decider.
  // Options carry a client's If-Match revision, checked against the stream as loaded; the append expects it.
  const run = (command: ShipmentCommand, context: CommandContext, options?: HandleOptions) =>
    shipments.handle(shipmentStream(command.data.orderId), context, (state) => shipmentDecider.decide(command, state), options);

  return {
    scheduleShipment: (data: ScheduleShipment, context: CommandContext) =>
      run({ type: 'ScheduleShipment', data, metadata: { now: context.now, shipmentId: shipmentIdFor(context.commandId) } }, context),
    cancelShipment: (data: CancelShipment, context: CommandContext) => run({ type: 'CancelShipment', data, metadata: { now: context.now } }, context),
    dispatchShipment: (data: DispatchShipment, context: CommandContext, options?: HandleOptions) =>
      run({ type: 'DispatchShipment', data, metadata: { now: context.now } }, context, options),
    /** An order's shipment and its stream revision (-1n: shipping never heard of it). */
    readShipment: (orderId: string) => shipments.read(shipmentStream(orderId)),
  };
};

export type ShippingHandlers = ReturnType<typeof shippingHandlers>;
