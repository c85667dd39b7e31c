// Customers' HTTP edge: strict input validated by zod, a typed command built from it,
// the stream revision as the ETag, If-Match for address changes. A customer records who
// registered it, and is shown only to that caller and to viewers and above.
import { z } from 'zod';
import { CountryCode, CustomerId, customerStream, CustomerView, Email } from '@ordo/customers-contract';
import { WrongExpectedRevisionError } from '@ordo/eventstore';
import {
  callerScope,
  commandContext,
  expectedRevisionFromIfMatch,
  Forbidden,
  hasAccess,
  notModified,
  requestDerivedId,
  setETag,
  type Access,
  type ErrorMapping,
  type HttpServer,
  printableText,
} from '@ordo/http';
import type { CustomersHandlers } from './application/handlers';
import type { Customer } from './domain/customer';
import { CustomerAlreadyExists, CustomerNotFound, CustomerRuleBroken, EmailAlreadyRegistered } from './domain/errors';

/** How customers' errors answer over HTTP: the one place. */
export const customersErrorMappings: ErrorMapping[] = [
  { error: EmailAlreadyRegistered, status: 409, fields: () => [{ in: 'body', path: '/email', message: 'is already registered' }] },
  { error: CustomerAlreadyExists, status: 409 },
  { error: CustomerNotFound, status: 404 },
  { error: CustomerRuleBroken, status: 409 },
  // 409, or 412 when the client sent If-Match.
  { error: WrongExpectedRevisionError, status: 'concurrency' },
];

// ---- request and response schemas -----------------------------------------------------
// A request's shape is checked here and only here (a 400 naming each field): an email
// address, printable text within its length (trimmed, so blank is empty), an assigned
// country. The decider takes what passed, and keeps the rules a customer's history decides.

/** Enough for real names and addresses, small enough to bound an event. */
const LIMITS = { name: 200, line: 200, city: 100, postalCode: 20 } as const;

const CustomerParams = z.strictObject({ id: CustomerId });
const AddressBody = z.strictObject({
  line1: printableText(1, LIMITS.line),
  line2: printableText(0, LIMITS.line).optional().describe('left out of the address when blank'),
  city: printableText(1, LIMITS.city),
  postalCode: printableText(1, LIMITS.postalCode),
  country: CountryCode,
});
const RegisterCustomerBody = z.strictObject({
  email: Email.describe('unique among customers, compared trimmed and case-insensitively'),
  name: printableText(1, LIMITS.name),
  address: AddressBody,
});

/** A request as the chassis hands it to a route. */
type Request = Parameters<typeof callerScope>[0];

type Active = Extract<Customer, { status: 'active' }>;

// The owner is shown to whoever may read the customer (its owner, viewers and above), so the
// answer is the same for every caller who gets one, and orders learns it in the same call.
const view = ({ customerId, email, name, address, owner }: Active): CustomerView => ({ id: customerId, email, name, address, status: 'active', owner });

/** After a command that succeeded, the customer is registered. */
const registered = (customer: Customer): Active => {
  if (customer.status !== 'active') throw new Error('a customers command succeeded but left the customer unregistered');
  return customer;
};

/** Whether the caller is the customer's owner (the caller scope that registered it), or holds `level`. */
const ownerOr = (customer: Active, request: Request, level: Access): boolean => hasAccess(request.principal, level) || customer.owner === callerScope(request);

/** The customer, if this caller may see it: its owner or a viewer and above. Anyone else gets the 404 of a missing one. */
const visible = async (handlers: CustomersHandlers, request: Request, customerId: string) => {
  const { state, revision } = await handlers.readCustomer(customerId);
  if (state.status !== 'active' || !ownerOr(state, request, 'viewer')) throw new CustomerNotFound(customerId);
  return { customer: state, position: { stream: customerStream(customerId), revision } };
};

export interface CustomersRoutesPorts {
  handlers: CustomersHandlers;
  clock: () => Date;
  /** Callers without a token act as customers: reading and changing one's own registration is then public. */
  anonymousCustomers: boolean;
}

export const customersRoutes =
  ({ handlers, clock, anonymousCustomers }: CustomersRoutesPorts) =>
  (app: HttpServer): void => {
    const customers = anonymousCustomers ? 'public' : 'customer';

    app.post(
      '/v1/customers',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Register a customer (sign up): its email, name and shipping address',
          tags: ['customers'],
          body: RegisterCustomerBody,
          response: { 201: CustomerView },
        },
      },
      async (request, reply) => {
        // With an Idempotency-Key a retried request maps to the same customer and command.
        const customerId = requestDerivedId(request, 'customer');
        const data = { customerId, owner: callerScope(request), ...request.body };
        const { state, revision } = await handlers.registerCustomer(data, commandContext(request, clock, 'register-customer'));
        setETag(reply, { stream: customerStream(customerId), revision });
        return reply
          .code(201)
          .header('location', `/v1/customers/${customerId}`)
          .send(view(registered(state)));
      },
    );

    app.get(
      '/v1/customers/:id',
      {
        config: { access: customers },
        schema: {
          summary: 'A customer and its shipping address, for the caller who registered it or a viewer',
          tags: ['customers'],
          params: CustomerParams,
          response: { 200: CustomerView, 304: z.undefined() },
        },
      },
      async (request, reply) => {
        const { customer, position } = await visible(handlers, request, request.params.id);
        setETag(reply, position);
        if (notModified(request, position)) return reply.code(304).send();
        return view(customer);
      },
    );

    app.put(
      '/v1/customers/:id/address',
      {
        // A viewer may read the customer but not change it: 403, even where the route is public.
        config: { access: customers, errorStatuses: [403] },
        schema: {
          summary: "Change a customer's shipping address; send If-Match with its ETag to change only the address you saw",
          tags: ['customers'],
          params: CustomerParams,
          body: AddressBody,
          response: { 200: CustomerView },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const { customer, position } = await visible(handlers, request, id);
        // A viewer may see the customer, so it learns nothing from a 403.
        if (!ownerOr(customer, request, 'operator')) throw new Forbidden('only the customer who registered it or an operator may change its address');
        const expectedRevision = expectedRevisionFromIfMatch(request, position.stream);
        const { state, revision } = await handlers.changeAddress({ customerId: id, address: request.body }, commandContext(request, clock, 'change-address'), {
          expectedRevision,
        });
        setETag(reply, { stream: position.stream, revision });
        return view(registered(state));
      },
    );
  };
