// One customer (stream `customer-<id>`) as a decider: three pure functions.
// Time arrives in the command's metadata; nothing here reads a clock. That the email is
// free is not this decider's to know: the email's reservation (email-reservation.ts) is
// taken before a customer is registered. A request's shape (an email address, names and
// address lines printable and within their lengths, trimmed; an assigned country) is the
// HTTP schema's (http.ts) and is not checked again here: what is left is what a
// customer's history decides. A registration that stopped after reserving its email is
// abandoned (AbandonRegistration) before another registration takes the email over, so it
// can never register afterwards.
import type { Address, ChangeAddress, CustomerEvent, RegisterCustomer } from '@ordo/customers-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { CustomerAlreadyExists, CustomerNotFound, CustomerRuleBroken } from './errors';

export type CustomerCommand =
  | Command<'RegisterCustomer', RegisterCustomer>
  | Command<'ChangeAddress', ChangeAddress>
  /** Closes the stream of a registration that stopped after reserving its email: from the email's takeover, never over HTTP. */
  | Command<'AbandonRegistration', { customerId: string }>;

export type Customer =
  | { status: 'unregistered' }
  | { status: 'active'; customerId: string; email: string; name: string; address: Address; owner: string }
  | { status: 'abandoned'; customerId: string };

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
    case 'RegistrationAbandoned':
      // Only ever the first event of its stream.
      return state.status === 'unregistered' ? { status: 'abandoned', customerId: event.data.customerId } : state;
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
      if (state.status === 'abandoned')
        throw new CustomerRuleBroken(
          `the registration of customer ${customerId} stopped half-way and was abandoned: register again without its Idempotency-Key`,
        );
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
    case 'AbandonRegistration': {
      const { customerId } = command.data;
      // Registered after all, or abandoned already: nothing to close.
      if (state.status !== 'unregistered') return [];
      return [{ type: 'RegistrationAbandoned', data: { customerId, at } }];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown customer command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The decider as one value, for the command handler and the test kit. */
export const customerDecider: Decider<Customer, CustomerCommand, CustomerEvent> = { initialState, evolve, decide };
