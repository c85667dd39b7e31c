import type { Address, CustomerEvent } from '@ordo/customers-contract';
import { deciderSpec } from '@ordo/testing';
import { customerDecider, evolve, initialState, type CustomerCommand } from './customer';
import { CustomerAlreadyExists, CustomerNotFound, CustomerRuleBroken } from './errors';

const spec = deciderSpec(customerDecider);
const customerId = '0b7c1f7e-5d0a-4c55-9a41-2f1e8f0c6a11';
const at = '2025-03-01T10:00:00.000Z';
const metadata = { now: at };
const owner = 'alice';
// Commands as the HTTP edge hands them over: an email address, printable text within its
// length, trimmed, an assigned country. What breaks those never reaches the decider
// (service.int.spec.ts and fuzz.int.spec.ts prove the edge refuses it with a 400).
const home: Address = { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
const office: Address = { line1: '5 Quay', line2: 'Floor 2', city: 'Dublin', postalCode: 'D02 X285', country: 'IE' };

const register = (overrides: Partial<{ email: string; name: string; address: Address; owner: string }> = {}): CustomerCommand => ({
  type: 'RegisterCustomer',
  data: { customerId, email: 'Alice@Example.com', name: 'Alice', address: home, owner, ...overrides },
  metadata,
});
const changeAddress = (address: Address): CustomerCommand => ({ type: 'ChangeAddress', data: { customerId, address }, metadata });
const abandon: CustomerCommand = { type: 'AbandonRegistration', data: { customerId }, metadata };
const abandoned: CustomerEvent = { type: 'RegistrationAbandoned', data: { customerId, at } };

const registered = (address: Address = home): CustomerEvent => ({
  type: 'CustomerRegistered',
  data: { customerId, email: 'Alice@Example.com', name: 'Alice', address, owner, at },
});
const addressChanged = (address: Address, previousAddress: Address): CustomerEvent => ({
  type: 'AddressChanged',
  data: { customerId, address, previousAddress, at },
});

describe('customers: one customer', () => {
  describe('RegisterCustomer', () => {
    it('registers a new customer with its owner, keeping the case of the email', () => spec.given([]).when(register()).then([registered()]));

    it('records an empty second address line as none', () =>
      spec
        .given([])
        .when(register({ address: { ...home, line2: '' } }))
        .then([registered()]));

    it('keeps a second address line', () =>
      spec
        .given([])
        .when(register({ address: office }))
        .then([registered(office)]));

    it('refuses a customer id already registered', () =>
      spec.given([registered()]).when(register()).thenThrows(CustomerAlreadyExists, `customer ${customerId} already exists`));

    it('refuses a registration that was abandoned, so it never registers after its email moved on', () =>
      spec.given([abandoned]).when(register()).thenThrows(CustomerRuleBroken, `the registration of customer ${customerId} stopped half-way and was abandoned`));

    it('refuses a customer without an owner', () =>
      spec
        .given([])
        .when(register({ owner: '' }))
        .thenThrows(CustomerRuleBroken, /owner must not be empty/));
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

    it('records nothing for the address it already has, an empty second line aside', () =>
      spec
        .given([registered()])
        .when(changeAddress({ ...home, line2: '' }))
        .thenNothing());

    it('records a change of the second line alone', () =>
      spec
        .given([registered(office)])
        .when(changeAddress({ ...office, line2: undefined }))
        .then([addressChanged({ line1: office.line1, city: office.city, postalCode: office.postalCode, country: office.country }, office)]));

    it('refuses a customer never registered', () =>
      spec.given([]).when(changeAddress(office)).thenThrows(CustomerNotFound, `customer ${customerId} does not exist`));
  });

  describe('AbandonRegistration', () => {
    it('closes the stream of a registration that never registered', () => spec.given([]).when(abandon).then([abandoned]));
    it('records nothing for a customer that registered after all, or was abandoned already', () => {
      spec.given([registered()]).when(abandon).thenNothing();
      spec.given([abandoned]).when(abandon).thenNothing();
    });
    it('refuses to change the address of an abandoned registration', () => spec.given([abandoned]).when(changeAddress(office)).thenThrows(CustomerNotFound));
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
    it('reads an abandoned registration as such', () => expect(evolve(initialState(), abandoned)).toEqual({ status: 'abandoned', customerId }));
  });
});
