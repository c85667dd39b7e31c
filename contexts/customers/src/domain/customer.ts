// One customer (stream `customer-<id>`) as a decider: three pure functions.
// Time arrives in the command's metadata; nothing here reads a clock. That the email is
// free is not this decider's to know: the email's reservation (email-reservation.ts) is
// taken before a customer is registered.
import { Email, isCountryCode, type Address, type ChangeAddress, type CustomerEvent, type RegisterCustomer } from '@ordo/customers-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { CustomerAlreadyExists, CustomerNotFound, CustomerRuleBroken } from './errors';

export type CustomerCommand = Command<'RegisterCustomer', RegisterCustomer> | Command<'ChangeAddress', ChangeAddress>;

export type Customer = { status: 'unregistered' } | { status: 'active'; customerId: string; email: string; name: string; address: Address; owner: string };

/** Lengths the HTTP edge enforces too: enough for real names and addresses, small enough to bound an event. */
export const LIMITS = { name: 200, line: 200, city: 100, postalCode: 20 } as const;

/**
 * Text a label can be printed from: no control characters, and no U+FFFD, which is what
 * bytes that were not UTF-8 decode to (lone surrogates and NUL the HTTP edge refuses itself).
 */
export const PRINTABLE = /^[^\p{Cc}\p{Cs}\uFFFD]*$/u;

export const initialState = (): Customer => ({ status: 'unregistered' });

export const evolve = (state: Customer, event: CustomerEvent): Customer => {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { customerId, email, name, address, owner } = event.data;
      return { status: 'active', customerId, email, name, address, owner };
    }
    case 'AddressChanged':
      // An address change only follows CustomerRegistered in a customer's stream.
      return state.status === 'active' ? { ...state, address: event.data.address } : state;
    default: {
      const unknown: never = event;
      throw new Error(`unknown customer event ${JSON.stringify(unknown)}`);
    }
  }
};

const text = (value: string, what: string, max: number): string => {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new CustomerRuleBroken(`the ${what} must not be blank`);
  if (trimmed.length > max) throw new CustomerRuleBroken(`the ${what} must be at most ${max} characters`);
  if (!PRINTABLE.test(trimmed)) throw new CustomerRuleBroken(`the ${what} must not hold control characters or undecodable bytes`);
  return trimmed;
};

/** The address as recorded: trimmed, without an empty second line, in an assigned country. */
export const normalizeAddress = (address: Address): Address => {
  const line2 = address.line2?.trim();
  if (!isCountryCode(address.country)) throw new CustomerRuleBroken(`${address.country} is not an assigned ISO 3166-1 alpha-2 country code`);
  return {
    line1: text(address.line1, 'first address line', LIMITS.line),
    ...(line2 ? { line2: text(line2, 'second address line', LIMITS.line) } : {}),
    city: text(address.city, 'city', LIMITS.city),
    postalCode: text(address.postalCode, 'postal code', LIMITS.postalCode),
    country: address.country,
  };
};

const sameAddress = (a: Address, b: Address): boolean =>
  a.line1 === b.line1 && (a.line2 ?? '') === (b.line2 ?? '') && a.city === b.city && a.postalCode === b.postalCode && a.country === b.country;

export const decide = (command: CustomerCommand, state: Customer): CustomerEvent[] => {
  const at = command.metadata.now;
  switch (command.type) {
    case 'RegisterCustomer': {
      const { customerId, owner } = command.data;
      if (state.status === 'active') throw new CustomerAlreadyExists(customerId);
      const email = command.data.email.trim();
      if (!Email.safeParse(email).success) throw new CustomerRuleBroken(`${JSON.stringify(email)} is not an email address`);
      const name = text(command.data.name, 'name', LIMITS.name);
      if (owner.length === 0) throw new CustomerRuleBroken('a customer is registered by someone: the owner must not be empty');
      const address = normalizeAddress(command.data.address);
      return [{ type: 'CustomerRegistered', data: { customerId, email, name, address, owner, at } }];
    }
    case 'ChangeAddress': {
      const { customerId } = command.data;
      if (state.status !== 'active') throw new CustomerNotFound(customerId);
      const address = normalizeAddress(command.data.address);
      // The address it already has: nothing changed, so nothing is recorded.
      if (sameAddress(address, state.address)) return [];
      return [{ type: 'AddressChanged', data: { customerId, address, previousAddress: state.address, at } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown customer command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The decider as one value, for the command handler and the test kit. */
export const customerDecider: Decider<Customer, CustomerCommand, CustomerEvent> = { initialState, evolve, decide };
