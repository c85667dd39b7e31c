// The reservation of one email (stream `customer-email-<sha256 of the normalized email>`)
// as a decider. Its first event names the customer holding the email; the store creates
// the stream only at `no_stream`, so of two registrations racing for one email exactly
// one appends, and the other, deciding again on the stream as it now is, is refused.
//
// A holder whose registration stopped after reserving (its process died) would hold the
// email forever. Once its reservation has outlived RESERVATION_GRACE_MS, another
// registration may take it over: the application layer first abandons the holder's
// registration (its customer stream is created with RegistrationAbandoned, so it can never
// register), then hands the abandoned holder to `decide` as a fact. The takeover is
// appended at the revision the holder was read at, so of two racing takeovers one wins.
import type { EmailReservationEvent } from '@ordo/customers-contract';
import type { Command, Decider } from '@ordo/eventstore';
import { EmailAlreadyRegistered } from './errors';

/**
 * How long a holder has to finish its registration before it may be taken over: its two
 * appends take milliseconds; this outlasts their retries and a database failover.
 */
export const RESERVATION_GRACE_MS = 60_000;

/** `email` (as the edge took it: trimmed) is there to name it in a refusal; the stream, not the event, says which email it is. */
export type EmailReservationCommand = Command<
  'ReserveEmail',
  { email: string; customerId: string },
  {
    /** A holder whose registration the application layer abandoned (its customer stream is closed); the email may move from it. */
    abandonedHolder: string | undefined;
  }
>;

export type EmailReservation = { status: 'free' } | { status: 'held'; holder: string; since: string };

export const initialState = (): EmailReservation => ({ status: 'free' });

export const evolve = (state: EmailReservation, event: EmailReservationEvent): EmailReservation => {
  switch (event.type) {
    case 'EmailReserved':
      // The first reservation stands: a later one could only be a repeat by the same customer.
      return state.status === 'free' ? { status: 'held', holder: event.data.customerId, since: event.data.at } : state;
    case 'EmailTakenOver':
      return { status: 'held', holder: event.data.customerId, since: event.data.at };
    default: {
      const unknown: never = event;
      throw new Error(`unknown email reservation event ${JSON.stringify(unknown)}`);
    }
  }
};

/** The holder that may be taken over at `now`: one whose reservation outlived the grace period without its registration finishing. */
export const lapsedHolder = (state: EmailReservation, now: string): string | undefined =>
  state.status === 'held' && Date.parse(now) - Date.parse(state.since) >= RESERVATION_GRACE_MS ? state.holder : undefined;

export const decide = (command: EmailReservationCommand, state: EmailReservation): EmailReservationEvent[] => {
  const { email, customerId } = command.data;
  const at = command.metadata.now;
  if (state.status === 'free') return [{ type: 'EmailReserved', data: { customerId, at } }];
  // The customer holds it already: a registration carried on after its first attempt stopped half-way.
  if (state.holder === customerId) return [];
  // Only the holder found abandoned: a holder that changed since may still be registering.
  if (state.holder === command.metadata.abandonedHolder) return [{ type: 'EmailTakenOver', data: { customerId, from: state.holder, at } }];
  throw new EmailAlreadyRegistered(email);
};

/** The decider as one value, for the command handler and the test kit. */
export const emailReservationDecider: Decider<EmailReservation, EmailReservationCommand, EmailReservationEvent> = { initialState, evolve, decide };
