// One customer (stream `customer-<id>`) as a decider: three pure functions.
// Time arrives in the command's metadata; nothing here reads a clock. That the email is
// free is not this decider's to know: the email's reservation (email-reservation.ts) is
// taken before a customer is registered. A request's shape (an email address, names and
// address lines printable and within their lengths, trimmed; an assigned country) is the
// HTTP schema's (http.ts) and is not checked again here: what is left is what a
// customer's history decides.
import type { Address, ChangeAddress, CustomerEvent, RegisterCustomer } from '@ordo/customers-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { CustomerAlreadyExists, CustomerNotFound, CustomerRuleBroken } from './errors';

export type CustomerCommand = Command<'RegisterCustomer', RegisterCustomer> | Command<'ChangeAddress', ChangeAddress>;

export type Customer = { status: 'unregistered' } | { status: 'active'; customerId: string; email: string; name: string; address: Address; owner: string };

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

/** The address as recorded: a second line that is empty (blank, as the edge trims it) is no second line. */
const recordedAddress = ({ line2, ...address }: Address): Address => (line2 ? { ...address, line2 } : address);

const sameAddress = (a: Address, b: Address): boolean =>
  a.line1 === b.line1 && (a.line2 ?? '') === (b.line2 ?? '') && a.city === b.city && a.postalCode === b.postalCode && a.country === b.country;

export const decide = (command: CustomerCommand, state: Customer): CustomerEvent[] => {
  const at = command.metadata.now;
  switch (command.type) {
    case 'RegisterCustomer': {
      const { customerId, email, name, owner } = command.data;
      if (state.status === 'active') throw new CustomerAlreadyExists(customerId);
      // Reading and changing a customer are its owner's (http.ts), so every customer has one.
      if (owner.length === 0) throw new CustomerRuleBroken('a customer is registered by someone: the owner must not be empty');
      const address = recordedAddress(command.data.address);
      return [{ type: 'CustomerRegistered', data: { customerId, email, name, address, owner, at } }];
    }
    case 'ChangeAddress': {
      const { customerId } = command.data;
      if (state.status !== 'active') throw new CustomerNotFound(customerId);
      const address = recordedAddress(command.data.address);
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
