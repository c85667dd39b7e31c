import type { EmailReservationEvent } from '@ordo/customers-contract';
import { deciderSpec } from '@ordo/testing';
import { emailReservationDecider, evolve, initialState, type EmailReservationCommand } from './email-reservation';
import { EmailAlreadyRegistered } from './errors';

const spec = deciderSpec(emailReservationDecider);
const at = '2025-03-01T10:00:00.000Z';
const alice = '0b7c1f7e-5d0a-4c55-9a41-2f1e8f0c6a11';
const mallory = '7d2f8a40-8c1b-4b9e-b5f4-2a6c1d9e0f22';

const reserve = (customerId: string, email = 'alice@example.com'): EmailReservationCommand => ({
  type: 'ReserveEmail',
  data: { email, customerId },
  metadata: { now: at },
});
const reserved = (customerId: string): EmailReservationEvent => ({ type: 'EmailReserved', data: { customerId, at } });

describe('customers: the reservation of one email', () => {
  it('reserves a free email for the customer', () =>
    spec
      .given([])
      .when(reserve(alice))
      .then([reserved(alice)]));

  it('records nothing when the customer holds the email already', () =>
    spec
      .given([reserved(alice)])
      .when(reserve(alice))
      .thenNothing());

  it('refuses an email another customer holds, naming it as given', () =>
    spec
      .given([reserved(alice)])
      .when(reserve(mallory, 'ALICE@example.com'))
      .thenThrows(EmailAlreadyRegistered, 'a customer with the email ALICE@example.com is already registered'));

  it('keeps the first holder', () => {
    expect([reserved(alice), reserved(mallory)].reduce(evolve, initialState())).toEqual({ holder: alice });
    expect(initialState()).toEqual({ holder: undefined });
  });
});
