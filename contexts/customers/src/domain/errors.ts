// Customers' domain errors: every customers command comes over HTTP, so a refusal is a
// throw that http.ts maps to its status.

/** RegisterCustomer with an email another customer holds, compared trimmed and case-insensitively (HTTP 409). */
export class EmailAlreadyRegistered extends Error {
  constructor(readonly email: string) {
    super(`a customer with the email ${email} is already registered`);
    this.name = 'EmailAlreadyRegistered';
  }
}

/** RegisterCustomer for a customer id already registered (HTTP 409). */
export class CustomerAlreadyExists extends Error {
  constructor(readonly customerId: string) {
    super(`customer ${customerId} already exists`);
    this.name = 'CustomerAlreadyExists';
  }
}

/** A command for a customer never registered (HTTP 404). */
export class CustomerNotFound extends Error {
  constructor(readonly customerId: string) {
    super(`customer ${customerId} does not exist`);
    this.name = 'CustomerNotFound';
  }
}

/** A rule of customers broken, e.g. a customer registered without an owner (HTTP 409). */
export class CustomerRuleBroken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomerRuleBroken';
  }
}
