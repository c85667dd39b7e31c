// Shipping's domain errors. Only DispatchShipment, which comes over HTTP, is refused by a
// throw (http.ts maps each to its status). ScheduleShipment and CancelShipment come from
// the saga, which waits for an answer: they are refused by events, never by these.

/** A dispatch for an order shipping has no shipment for (HTTP 404). */
export class ShipmentNotFound extends Error {
  constructor(readonly orderId: string) {
    super(`there is no shipment for order ${orderId}`);
    this.name = 'ShipmentNotFound';
  }
}

/** A dispatch of a shipment that was refused, so never scheduled (HTTP 409). */
export class ShipmentNotScheduled extends Error {
  constructor(readonly orderId: string) {
    super(`the shipment of order ${orderId} was refused, never scheduled: there is nothing to dispatch`);
    this.name = 'ShipmentNotScheduled';
  }
}

/** A dispatch of a cancelled shipment (HTTP 409). */
export class ShipmentWasCancelled extends Error {
  constructor(readonly orderId: string) {
    super(`the shipment of order ${orderId} was cancelled: it must not be dispatched`);
    this.name = 'ShipmentWasCancelled';
  }
}

/** A second dispatch naming another carrier or tracking number than the first recorded (HTTP 409). */
export class ShipmentDispatchedOtherwise extends Error {
  constructor(
    readonly orderId: string,
    recorded: { carrier?: string; trackingNumber?: string },
  ) {
    super(
      `the shipment of order ${orderId} was dispatched already, with carrier ${recorded.carrier ?? '(none)'} and tracking number ${recorded.trackingNumber ?? '(none)'}`,
    );
    this.name = 'ShipmentDispatchedOtherwise';
  }
}
