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
import { RESERVATION_GRACE_MS } from '../domain/email-reservation';
import { CustomerRuleBroken, EmailAlreadyRegistered } from '../domain/errors';
import { customersHandlers } from './handlers';

// Registration on PostgreSQL, as replicas of the service run it: each store below has its
// own pool and each handler set its own cache, so nothing but the database orders them.
const scope = testScope();
const address: Address = { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
const NOW = '2025-03-01T10:00:00.000Z';
const context = (commandId = randomUUID(), now = NOW): CommandContext => ({ commandId, correlationId: `c-${commandId}`, now });
/** `ms` after NOW: a registration's clock. */
const after = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
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

  // ---- a reservation whose registration stopped, never to be retried ----
  /** What a registration that died between its two appends leaves: the email's reservation, no customer. */
  const orphanedReservation = async (email: string) => {
    const orphan = randomUUID();
    const metadata = { correlationId: 'crashed', causationId: 'crashed', schemaVersion: 1 };
    await (stores[0] as EventStore).appendToStream(
      emailReservationStream(email),
      [{ id: randomUUID(), type: 'EmailReserved', data: { customerId: orphan, at: NOW }, metadata }],
      { expectedRevision: 'no_stream' },
    );
    return orphan;
  };
  const historyOf = async (stream: string) => (await eventsOf(stores[0] as EventStore, stream)).map((event) => [event.type, event.data]);

  it('takes over an email whose registration stopped after reserving it, once the grace period is over; the stopped one never registers', async () => {
    const orphan = await orphanedReservation('erin@example.com');
    const handlers = customersHandlers({ store: stores[1] as EventStore });
    const within = registration('erin@example.com');
    await expect(handlers.registerCustomer(within, context(undefined, after(RESERVATION_GRACE_MS - 1)))).rejects.toThrow(EmailAlreadyRegistered);
    expect(await historyOf(customerStream(orphan))).toEqual([]);

    const past = registration('Erin@example.com');
    const takenAt = after(RESERVATION_GRACE_MS);
    await expect(handlers.registerCustomer(past, context(undefined, takenAt))).resolves.toMatchObject({ state: { status: 'active' } });
    expect(await historyOf(emailReservationStream('erin@example.com'))).toEqual([
      ['EmailReserved', { customerId: orphan, at: NOW }],
      ['EmailTakenOver', { customerId: past.customerId, from: orphan, at: takenAt }],
    ]);
    expect(await historyOf(customerStream(orphan))).toEqual([['RegistrationAbandoned', { customerId: orphan, at: takenAt }]]);

    // The stopped registration, retried at last, is refused rather than registering a second customer with the email.
    const retry = registration('erin@example.com', orphan);
    await expect(handlers.registerCustomer(retry, context(undefined, after(2 * RESERVATION_GRACE_MS)))).rejects.toThrow(CustomerRuleBroken);
    expect(await historyOf(customerStream(orphan))).toHaveLength(1);
  });

  it("ends with one customer when registrations race to take over one stopped registration's email, the stopped one's retry among them", async () => {
    const orphan = await orphanedReservation('frank@example.com');
    const attempts = [registration('frank@example.com', orphan), ...Array.from({ length: 9 }, () => registration('Frank@example.com'))].map((data, index) => ({
      store: stores[index % stores.length] as EventStore,
      data,
    }));

    const now = after(RESERVATION_GRACE_MS);
    const outcomes = await Promise.allSettled(attempts.map(({ store, data }) => customersHandlers({ store }).registerCustomer(data, context(undefined, now))));

    const registered = attempts.filter((_, index) => outcomes[index]?.status === 'fulfilled').map(({ data }) => data.customerId);
    expect(registered).toHaveLength(1);
    // The stopped one is refused as abandoned when a taker closed its stream first, else as any loser is.
    const [orphanOutcome, ...takers] = outcomes;
    for (const outcome of takers) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EmailAlreadyRegistered);
    if (orphanOutcome?.status === 'rejected') expect([EmailAlreadyRegistered, CustomerRuleBroken]).toContain(orphanOutcome.reason.constructor);
    const holders: string[] = [];
    for (const { data } of attempts) if ((await historyOf(customerStream(data.customerId)))[0]?.[0] === 'CustomerRegistered') holders.push(data.customerId);
    expect(holders).toEqual(registered);
    const reservation = (await eventsOf(stores[0] as EventStore, emailReservationStream('frank@example.com'))).at(-1)?.data;
    expect(reservation).toMatchObject({ customerId: registered[0] });
  });

  it('reserves no email for a registration its rules refuse, so the email stays free', async () => {
    const handlers = customersHandlers({ store: stores[2] as EventStore });
    await expect(handlers.registerCustomer({ ...registration('dave@example.com'), owner: '' }, context())).rejects.toThrow(CustomerRuleBroken);
    expect(await eventsOf(stores[2] as EventStore, emailReservationStream('dave@example.com'))).toEqual([]);
    await expect(handlers.registerCustomer(registration('dave@example.com'), context())).resolves.toMatchObject({ state: { status: 'active' } });
  });
});
