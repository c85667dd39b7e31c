import type { Address, CustomerEvent } from '@ordo/customers-contract';
import { deciderSpec } from '@ordo/testing';
import { customerDecider, evolve, initialState, LIMITS, type CustomerCommand } from './customer';
import { CustomerAlreadyExists, CustomerNotFound, CustomerRuleBroken } from './errors';

const spec = deciderSpec(customerDecider);
const customerId = '0b7c1f7e-5d0a-4c55-9a41-2f1e8f0c6a11';
const at = '2025-03-01T10:00:00.000Z';
const metadata = { now: at };
const owner = 'alice';
const home: Address = { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
const office: Address = { line1: '5 Quay', line2: 'Floor 2', city: 'Dublin', postalCode: 'D02 X285', country: 'IE' };

const register = (overrides: Partial<{ email: string; name: string; address: Address; owner: string }> = {}): CustomerCommand => ({
  type: 'RegisterCustomer',
  data: { customerId, email: 'Alice@Example.com', name: 'Alice', address: home, owner, ...overrides },
  metadata,
});
const changeAddress = (address: Address): CustomerCommand => ({ type: 'ChangeAddress', data: { customerId, address }, metadata });

const registered = (address: Address = home, email = 'Alice@Example.com', name = 'Alice'): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, email, name, address, owner, at },
});
const addressChanged = (address: Address, previousAddress: Address): CustomerEvent => ({
  type: 'AddressChanged',
  data: { customerId, address, previousAddress, at },
});

describe('customers: one customer', () => {
  describe('RegisterCustomer', () => {
    it('registers a new customer with its owner, keeping the case of the email', () => spec.given([]).when(register()).then([registered()]));

    it('records email, name and address without surrounding blanks, and without a blank second line', () =>
      spec
        .given([])
        .when(
          register({
            email: '  Alice@Example.com ',
            name: ' Alice ',
            address: { line1: ' 1 Main Street ', line2: '   ', city: ' Berlin', postalCode: '10115 ', country: 'DE' },
          }),
        )
        .then([registered()]));

    it('keeps a second address line', () =>
      spec
        .given([])
        .when(register({ address: office }))
        .then([registered(office)]));

    it('refuses a customer id already registered', () =>
      spec.given([registered()]).when(register()).thenThrows(CustomerAlreadyExists, `customer ${customerId} already exists`));

    it.each(['', '   ', 'alice', 'alice@', '@example.com', 'a b@example.com'])('refuses the email %p', (email) =>
      spec
        .given([])
        .when(register({ email }))
        .thenThrows(CustomerRuleBroken, /is not an email address/),
    );

    it('refuses a blank name, and one too long', () => {
      spec
        .given([])
        .when(register({ name: '  ' }))
        .thenThrows(CustomerRuleBroken, 'the name must not be blank');
      spec
        .given([])
        .when(register({ name: 'x'.repeat(LIMITS.name + 1) }))
        .thenThrows(CustomerRuleBroken, `the name must be at most ${LIMITS.name} characters`);
    });

    it.each(['Al\u0001ice', 'Al\u007fice', 'Al\ufffdice'])('refuses the name %j: control characters and undecodable bytes print on no label', (name) =>
      spec.given([]).when(register({ name })).thenThrows(CustomerRuleBroken, 'the name must not hold control characters or undecodable bytes'),
    );

    it('accepts names and addresses beyond ASCII', () =>
      spec
        .given([])
        .when(register({ name: 'Zoë 李', address: { ...home, line1: 'Müllerstraße 5' } }))
        .then([registered({ ...home, line1: 'Müllerstraße 5' }, 'Alice@Example.com', 'Zoë 李')]));

    it('refuses a customer without an owner', () =>
      spec
        .given([])
        .when(register({ owner: '' }))
        .thenThrows(CustomerRuleBroken, /owner must not be empty/));

    it.each([
      [{ ...home, line1: ' ' }, 'the first address line must not be blank'],
      [{ ...home, city: '' }, 'the city must not be blank'],
      [{ ...home, postalCode: '\t' }, 'the postal code must not be blank'],
      [{ ...home, postalCode: '1'.repeat(LIMITS.postalCode + 1) }, `the postal code must be at most ${LIMITS.postalCode} characters`],
      [{ ...home, line2: 'x'.repeat(LIMITS.line + 1) }, `the second address line must be at most ${LIMITS.line} characters`],
      [{ ...home, city: 'Ber\nlin' }, 'the city must not hold control characters or undecodable bytes'],
    ])('refuses the address %p', (address, message) => spec.given([]).when(register({ address })).thenThrows(CustomerRuleBroken, message));

    it.each(['UK', 'EU', 'ZZ', 'de', 'DEU'])('refuses the country %p, which ISO 3166-1 alpha-2 does not assign', (country) =>
      spec
        .given([])
        .when(register({ address: { ...home, country } }))
        .thenThrows(CustomerRuleBroken, `${country} is not an assigned ISO 3166-1 alpha-2 country code`),
    );
  });

  describe('ChangeAddress', () => {
    it('changes the address, recording the previous one', () =>
      spec
        .given([registered()])
        .when(changeAddress(office))
        .then([addressChanged(office, home)]));

    it('records the previous address as changed before', () =>
      spec
        .given([registered(), addressChanged(office, home)])
        .when(changeAddress(home))
        .then([addressChanged(home, office)]));

    it('records nothing for the address it already has, blanks and an empty second line aside', () =>
      spec
        .given([registered()])
        .when(changeAddress({ ...home, line1: ` ${home.line1} `, line2: '' }))
        .thenNothing());

    it('records a change of the second line alone', () =>
      spec
        .given([registered(office)])
        .when(changeAddress({ ...office, line2: undefined }))
        .then([addressChanged({ line1: office.line1, city: office.city, postalCode: office.postalCode, country: office.country }, office)]));

    it('refuses a customer never registered', () =>
      spec.given([]).when(changeAddress(office)).thenThrows(CustomerNotFound, `customer ${customerId} does not exist`));

    it('refuses an address breaking the rules of addresses', () =>
      spec
        .given([registered()])
        .when(changeAddress({ ...office, country: 'XK' }))
        .thenThrows(CustomerRuleBroken, /XK is not an assigned/));
  });

  describe('evolve', () => {
    it('keeps the registration and the latest address', () => {
      const history = [registered(), addressChanged(office, home)];
      expect(history.reduce(evolve, initialState())).toEqual({
        status: 'active',
        customerId,
        email: 'Alice@Example.com',
        name: 'Alice',
        address: office,
        owner,
      });
    });

    it('starts unregistered', () => expect(initialState()).toEqual({ status: 'unregistered' }));
  });
});
