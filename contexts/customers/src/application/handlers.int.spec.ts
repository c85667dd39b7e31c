import { randomUUID } from 'node:crypto';
import {
  CUSTOMERS_STREAM_PREFIXES,
  customersEventSchemas,
  customerStream,
  emailReservationStream,
  type Address,
  type RegisterCustomer,
} from '@ordo/customers-contract';
import { createEventStore, type CommandContext, type EventStore, type RecordedEvent } from '@ordo/eventstore';
import { testScope } from '@ordo/testing';
import { CustomerRuleBroken, EmailAlreadyRegistered } from '../domain/errors';
import { customersHandlers } from './handlers';

// Registration on PostgreSQL, as replicas of the service run it: each store below has its
// own pool and each handler set its own cache, so nothing but the database orders them.
const scope = testScope();
const address: Address = { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
const context = (commandId = randomUUID()): CommandContext => ({ commandId, correlationId: `c-${commandId}`, now: '2025-03-01T10:00:00.000Z' });
const registration = (email: string, customerId = randomUUID()): RegisterCustomer => ({ customerId, email, name: 'Alice', address, owner: 'alice' });

const openStore = () =>
  createEventStore(scope.env.databaseUrl, {
    schema: scope.schema,
    streamPrefixes: CUSTOMERS_STREAM_PREFIXES,
    registry: customersEventSchemas,
    maxConnections: 4,
  });

const eventsOf = async (store: EventStore, stream: string) => {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(stream)) events.push(event);
  return events;
};

describe('customers handlers on PostgreSQL', () => {
  const stores: EventStore[] = [];

  beforeAll(async () => {
    await scope.db(); // the schema is the file's own, and is dropped after it
    for (let replica = 0; replica < 3; replica++) stores.push(await openStore());
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
  });

  it('registers exactly one of many concurrent registrations of one email, on three replicas, and refuses the others', async () => {
    // As the edge hands them over (trimmed); the reservation compares them lower-cased.
    const spellings = ['bob@example.com', 'Bob@Example.com', 'BOB@EXAMPLE.COM', 'bob@EXAMPLE.com'];
    const attempts = Array.from({ length: 12 }, (_, index) => ({
      store: stores[index % stores.length] as EventStore,
      data: registration(spellings[index % spellings.length] as string),
    }));

    const outcomes = await Promise.allSettled(attempts.map(({ store, data }) => customersHandlers({ store }).registerCustomer(data, context())));

    const registered = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [attempts[index]?.data.customerId] : []));
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(registered).toHaveLength(1);
    expect(refusals).toHaveLength(11);
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(EmailAlreadyRegistered);

    const store = stores[0] as EventStore;
    const reservation = await eventsOf(store, emailReservationStream('bob@example.com'));
    expect(reservation.map((event) => [event.type, (event.data as { customerId: string }).customerId])).toEqual([['EmailReserved', registered[0]]]);
    for (const { data } of attempts) {
      expect(await eventsOf(store, customerStream(data.customerId))).toHaveLength(data.customerId === registered[0] ? 1 : 0);
    }
  });

  it('finishes a registration that stopped after its reservation when it is retried with the same command', async () => {
    const store = stores[0] as EventStore;
    // A store whose first append to a customer's stream fails, as a process dying between the two appends would.
    let failed = false;
    const failingOnce: EventStore = Object.create(store, {
      appendToStream: {
        value: (...args: Parameters<EventStore['appendToStream']>) => {
          if (!failed && !args[0].startsWith('customer-email-')) {
            failed = true;
            return Promise.reject(new Error('the process died'));
          }
          return store.appendToStream(...args);
        },
      },
    });
    const data = registration('carol@example.com');
    const first = context();
    await expect(customersHandlers({ store: failingOnce }).registerCustomer(data, first)).rejects.toThrow('the process died');
    expect(await eventsOf(store, customerStream(data.customerId))).toEqual([]);

    // Another customer cannot take the email meanwhile; the retry, on another replica, completes it.
    await expect(customersHandlers({ store: stores[1] as EventStore }).registerCustomer(registration('Carol@example.com'), context())).rejects.toThrow(
      EmailAlreadyRegistered,
    );
    const retried = await customersHandlers({ store: stores[1] as EventStore }).registerCustomer(data, first);
    expect(retried).toMatchObject({ repeated: false, revision: 0n, state: { status: 'active', email: 'carol@example.com' } });
    expect(await eventsOf(store, emailReservationStream('carol@example.com'))).toHaveLength(1);

    const again = await customersHandlers({ store }).registerCustomer(data, first);
    expect(again).toMatchObject({ repeated: true, revision: 0n });
  });

  it('reserves no email for a registration its rules refuse, so the email stays free', async () => {
    const handlers = customersHandlers({ store: stores[2] as EventStore });
    await expect(handlers.registerCustomer({ ...registration('dave@example.com'), owner: '' }, context())).rejects.toThrow(CustomerRuleBroken);
    expect(await eventsOf(stores[2] as EventStore, emailReservationStream('dave@example.com'))).toEqual([]);
    await expect(handlers.registerCustomer(registration('dave@example.com'), context())).resolves.toMatchObject({ state: { status: 'active' } });
  });
});
