import type { EmailReservationEvent } from '@ordo/customers-contract';
import { deciderSpec } from '@ordo/testing';
import { emailReservationDecider, evolve, initialState, lapsedHolder, RESERVATION_GRACE_MS, type EmailReservationCommand } from './email-reservation';
import { EmailAlreadyRegistered } from './errors';

const spec = deciderSpec(emailReservationDecider);
const at = '2025-03-01T10:00:00.000Z';
const later = '2025-03-01T10:05:00.000Z';
const alice = '0b7c1f7e-5d0a-4c55-9a41-2f1e8f0c6a11';
const mallory = '7d2f8a40-8c1b-4b9e-b5f4-2a6c1d9e0f22';
const carol = '3e9a5c71-2b4d-4f6e-8a1c-9d0b7e6f5a33';

/** `abandonedHolder`: the holder the application layer found unregistered past the grace period and abandoned. */
const reserve = (customerId: string, { email = 'alice@example.com', abandonedHolder = undefined as string | undefined } = {}): EmailReservationCommand => ({
  type: 'ReserveEmail',
  data: { email, customerId },
  metadata: { now: later, abandonedHolder },
});
const reserved = (customerId: string): EmailReservationEvent => ({ type: 'EmailReserved', data: { customerId, at } });
const takenOver = (customerId: string, from: string, when = later): EmailReservationEvent => ({ type: 'EmailTakenOver', data: { customerId, from, at: when } });

describe('customers: the reservation of one email', () => {
  it('reserves a free email for the customer', () =>
    spec
      .given([])
      .when(reserve(alice))
      .then([{ type: 'EmailReserved', data: { customerId: alice, at: later } }]));

  it('records nothing when the customer holds the email already', () =>
    spec
      .given([reserved(alice)])
      .when(reserve(alice))
      .thenNothing());

  it('refuses an email another customer holds, naming it as given', () =>
    spec
      .given([reserved(alice)])
      .when(reserve(mallory, { email: 'ALICE@example.com' }))
      .thenThrows(EmailAlreadyRegistered, 'a customer with the email ALICE@example.com is already registered'));

  it('takes the email over from a holder whose registration was abandoned', () =>
    spec
      .given([reserved(alice)])
      .when(reserve(mallory, { abandonedHolder: alice }))
      .then([takenOver(mallory, alice)]));

  it('refuses a takeover when the email has moved on from the holder that was abandoned', () =>
    spec
      .given([reserved(alice), takenOver(carol, alice)])
      .when(reserve(mallory, { abandonedHolder: alice }))
      .thenThrows(EmailAlreadyRegistered));

  it('keeps the first holder of reservations, and the latest of takeovers', () => {
    expect([reserved(alice), reserved(mallory)].reduce(evolve, initialState())).toEqual({ status: 'held', holder: alice, since: at });
    expect([reserved(alice), takenOver(carol, alice)].reduce(evolve, initialState())).toEqual({ status: 'held', holder: carol, since: later });
    expect(initialState()).toEqual({ status: 'free' });
  });

  it('lets a holder be taken over only once its reservation outlived the grace period', () => {
    const held = [reserved(alice)].reduce(evolve, initialState());
    const graceEnds = new Date(Date.parse(at) + RESERVATION_GRACE_MS).toISOString();
    expect(lapsedHolder(held, at)).toBeUndefined();
    expect(lapsedHolder(held, new Date(Date.parse(graceEnds) - 1).toISOString())).toBeUndefined();
    expect(lapsedHolder(held, graceEnds)).toBe(alice);
    expect(lapsedHolder(initialState(), later)).toBeUndefined();
    // A takeover starts the grace period again, for its own registration.
    expect(lapsedHolder([reserved(alice), takenOver(carol, alice)].reduce(evolve, initialState()), later)).toBeUndefined();
  });
});
