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

/** A line of a PlaceOrder at fault: its index, and why. */
export interface LineProblem {
  line: number;
  message: string;
}

/** Where a problem is in the request body, as a JSON pointer: every rule of a line is about its sku. */
export const pathOf = (problem: LineProblem): string => `/lines/${problem.line}/sku`;

/** A PlaceOrder whose lines break the rules of an order (400, naming each line at fault). */
export class OrderLinesRefused extends Error {
  constructor(
    message: string,
    readonly problems: LineProblem[],
  ) {
    super(message);
    this.name = 'OrderLinesRefused';
  }
}

/**
 * A PlaceOrder for a customer customers does not know, or one the caller may not order for
 * (400, naming `/customerId`): the same answer for both, so it does not reveal that a customer exists.
 */
export class UnknownCustomer extends Error {
  constructor(readonly customerId: string) {
    super(`customers knows no customer ${customerId}`);
    this.name = 'UnknownCustomer';
  }
}
