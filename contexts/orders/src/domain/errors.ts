// The few domain errors orders throws; service.ts maps each to its HTTP status in one place.

/** A PlaceOrder for an order id that already has a stream (409). */
export class OrderAlreadyExists extends Error {
  constructor(readonly orderId: string) {
    super(`order ${orderId} already exists`);
    this.name = 'OrderAlreadyExists';
  }
}

/** A command the order's state does not allow, e.g. confirming a rejected order (409). */
export class OrderRuleBroken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderRuleBroken';
  }
}

/** A command or query for an order that was never placed (404). */
export class OrderNotFound extends Error {
  constructor(readonly orderId: string) {
    super(`no order ${orderId}`);
    this.name = 'OrderNotFound';
  }
}
