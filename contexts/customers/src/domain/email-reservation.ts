// The reservation of one email (stream `customer-email-<sha256 of the normalized email>`)
// as a decider. Its first event names the customer holding the email; the store creates
// the stream only at `no_stream`, so of two registrations racing for one email exactly
// one appends, and the other, deciding again on the stream as it now is, is refused.
import type { EmailReservationEvent } from '@ordo/customers-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { EmailAlreadyRegistered } from './errors';

/** `email` (as the edge took it: trimmed) is there to name it in a refusal; the stream, not the event, says which email it is. */
export type EmailReservationCommand = Command<'ReserveEmail', { email: string; customerId: string }>;

export type EmailReservation = { holder: string | undefined };

export const initialState = (): EmailReservation => ({ holder: undefined });

export const evolve = (state: EmailReservation, event: EmailReservationEvent): EmailReservation => {
  switch (event.type) {
    case 'EmailReserved':
      // The first reservation stands: a later one could only be a repeat by the same customer.
      return state.holder === undefined ? { holder: event.data.customerId } : state;
    default: {
      const unknown: never = event.type;
      throw new Error(`unknown email reservation event ${JSON.stringify(unknown)}`);
    }
  }
};

export const decide = (command: EmailReservationCommand, state: EmailReservation): EmailReservationEvent[] => {
  const { email, customerId } = command.data;
  if (state.holder === undefined) return [{ type: 'EmailReserved', data: { customerId, at: command.metadata.now } }];
  // The customer holds it already: a registration carried on after its first attempt stopped half-way.
  if (state.holder === customerId) return [];
  throw new EmailAlreadyRegistered(email);
};

/** The decider as one value, for the command handler and the test kit. */
export const emailReservationDecider: Decider<EmailReservation, EmailReservationCommand, EmailReservationEvent> = { initialState, evolve, decide };
