// One function per command: load, decide, append. Registering appends twice: the email's
// reservation, then the customer; taking over an abandoned reservation once more before
// them, to close the stopped registration's stream.
import { v5 as uuidv5 } from 'uuid';
import { customerStream, emailReservationStream, type ChangeAddress, type RegisterCustomer } from '@ordo/customers-contract';
import { commandHandler, type CommandContext, type EventStore, type HandleOptions } from '@ordo/eventstore';
import { customerDecider, type CustomerCommand } from '../domain/customer';
import { emailReservationDecider, lapsedHolder, type EmailReservationCommand } from '../domain/email-reservation';

// Its own namespace: a reservation's command id never equals a command id of a request.
const RESERVATION_NAMESPACE = 'c858ae2e-0c90-49a1-81fa-36fd317931c8';

/**
 * The command id of what a registration appends to a stream other than its customer's (the
 * email's reservation, an abandoned holder's stream), derived from the registration's and
 * the stream: its events' ids then differ from the customer's (consumers deduplicate by
 * event id across the topic), and a retried registration repeats it rather than making another.
 */
const streamContext = (context: CommandContext, stream: string): CommandContext => ({
  ...context,
  commandId: uuidv5(`${context.commandId}/${stream}`, RESERVATION_NAMESPACE),
  causationId: context.causationId ?? context.commandId,
});

export const customersHandlers = ({ store }: { store: EventStore }) => {
  // A customer's stream is its registration and its address changes: short enough to load whole, no snapshots.
  const customers = commandHandler({ store, aggregate: customerDecider });
  const reservations = commandHandler({ store, aggregate: emailReservationDecider });

  // Options carry a client's If-Match revision, checked against the stream as loaded; the append expects it.
  const run = (command: CustomerCommand, context: CommandContext, options?: HandleOptions) =>
    customers.handle(customerStream(command.data.customerId), context, (state) => customerDecider.decide(command, state), options);

  /**
   * Closes the stream of a holder whose reservation outlived the grace period unregistered,
   * so it can never register after the email moves; answers it, or undefined when it registered after all.
   */
  const abandon = async (holder: string, context: CommandContext): Promise<string | undefined> => {
    const stream = customerStream(holder);
    const command: CustomerCommand = { type: 'AbandonRegistration', data: { customerId: holder }, metadata: { now: context.now } };
    const { state } = await customers.handle(stream, streamContext(context, stream), (current) => customerDecider.decide(command, current));
    return state.status === 'abandoned' ? holder : undefined;
  };

  const reserveEmail = async (data: RegisterCustomer, context: CommandContext) => {
    const stream = emailReservationStream(data.email);
    const lapsed = lapsedHolder((await reservations.read(stream)).state, context.now);
    const abandonedHolder = lapsed !== undefined && lapsed !== data.customerId ? await abandon(lapsed, context) : undefined;
    const command: EmailReservationCommand = {
      type: 'ReserveEmail',
      data: { email: data.email, customerId: data.customerId },
      metadata: { now: context.now, abandonedHolder },
    };
    return reservations.handle(stream, streamContext(context, stream), (state) => emailReservationDecider.decide(command, state));
  };

  return {
    /**
     * Reserves the email (taking it over from a registration that stopped half-way long
     * enough ago), then registers the customer. A registration that stopped between the two
     * (its process died) is finished by its retry with the same Idempotency-Key while it
     * still holds the email: the same customer id finds the reservation its own.
     */
    registerCustomer: async (data: RegisterCustomer, context: CommandContext) => {
      const command: CustomerCommand = { type: 'RegisterCustomer', data, metadata: { now: context.now } };
      const current = await customers.read(customerStream(data.customerId));
      // Not registered yet: its rules are checked before the email is reserved, so a refused registration holds no email.
      if (current.state.status !== 'active') {
        customerDecider.decide(command, current.state);
        await reserveEmail(data, context);
      }
      // Registered: a repeat answers as the first time did, anything else is refused, and reserves nothing.
      return run(command, context);
    },
    changeAddress: (data: ChangeAddress, context: CommandContext, options?: HandleOptions) =>
      run({ type: 'ChangeAddress', data, metadata: { now: context.now } }, context, options),
    /** A customer and its stream revision (-1n: never registered). */
    readCustomer: (customerId: string) => customers.read(customerStream(customerId)),
  };
};

export type CustomersHandlers = ReturnType<typeof customersHandlers>;
