// Customers' published language: the events it records and the view other services read
// over HTTP (orders checks a customer with GET /v1/customers/:id before placing an order).
// Readers are tolerant (docs/architecture.md): event and view schemas are plain `z.object`s,
// so a field added by a later version passes through an older reader.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isCountryCode } from './countries';

export { COUNTRY_CODES, isCountryCode } from './countries';

export const CONTEXT = 'customers';

/** Where customers' events are published, keyed by stream. Customers takes no commands on the bus. */
export const CUSTOMERS_EVENTS_TOPIC = 'ordo.customers.events';

/** Customers are named by uuids: a random one, or one derived from the client's Idempotency-Key. */
export const CustomerId = z.uuid();
const At = z.string().min(1);

/** One stream per customer: `customer-<customerId>`; also the stream of its ETag. */
export const customerStream = (customerId: string): string => `customer-${customerId}`;

/** The form an email is unique in: trimmed and lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The reservation of one email, `customer-email-<sha256 hex of the normalized email>`: its
 * first event names the customer holding the email, and being created with
 * `no_stream` makes it the guard of unique emails across customers' streams.
 */
export const emailReservationStream = (email: string): string => `customer-email-${createHash('sha256').update(normalizeEmail(email)).digest('hex')}`;

/** Every stream customers' store holds (customers' and email reservations): the store refuses others. */
export const CUSTOMERS_STREAM_PREFIXES = ['customer-'];

/** An email as registering takes it, trimmed first; events and views read any non-empty text. */
export const Email = z.string().trim().max(254).regex(z.regexes.email, 'expected an email address');

/** ISO 3166-1 alpha-2, uppercase, an assigned code (`DE`, `GB`; not `UK`). */
export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code in uppercase')
  .refine(isCountryCode, 'expected an assigned ISO 3166-1 alpha-2 country code');

/** A shipping address as recorded and shown; `line2` is left out when there is none. */
export const Address = z.object({
  line1: z.string().min(1),
  line2: z.string().min(1).optional(),
  city: z.string().min(1),
  postalCode: z.string().min(1),
  country: z.string().min(1),
});
export type Address = z.infer<typeof Address>;

export const CustomerStatus = z.enum(['active']);
export type CustomerStatus = z.infer<typeof CustomerStatus>;

// ---- commands (over HTTP only) -------------------------------------------------------

/** `owner` is who registered: a token's subject, or `address:<ip>` for an anonymous caller. */
export const RegisterCustomer = z.object({
  customerId: CustomerId,
  email: z.string().min(1),
  name: z.string().min(1),
  address: Address,
  owner: z.string().min(1),
});
export type RegisterCustomer = z.infer<typeof RegisterCustomer>;

export const ChangeAddress = z.object({ customerId: CustomerId, address: Address });
export type ChangeAddress = z.infer<typeof ChangeAddress>;

// ---- events ------------------------------------------------------------------------

/** `email` as given, trimmed (its case kept); unique among customers in its normalized form. */
export const CustomerRegistered = z.object({
  customerId: CustomerId,
  email: z.string().min(1),
  name: z.string().min(1),
  address: Address,
  owner: z.string().min(1),
  at: At,
});
export type CustomerRegistered = z.infer<typeof CustomerRegistered>;

export const AddressChanged = z.object({ customerId: CustomerId, address: Address, previousAddress: Address, at: At });
export type AddressChanged = z.infer<typeof AddressChanged>;

/**
 * The first event of a customer's stream when its registration stopped after reserving its
 * email (its process died) and another registration took the email over: the stream exists,
 * so the stopped registration can never append `CustomerRegistered` after all.
 */
export const RegistrationAbandoned = z.object({ customerId: CustomerId, at: At });
export type RegistrationAbandoned = z.infer<typeof RegistrationAbandoned>;

/** In an email's reservation stream: the customer that holds the email. Nothing but the guard reads it. */
export const EmailReserved = z.object({ customerId: CustomerId, at: At });
export type EmailReserved = z.infer<typeof EmailReserved>;

/** In an email's reservation stream: the email moves to `customerId` from a holder whose registration was abandoned. */
export const EmailTakenOver = z.object({ customerId: CustomerId, from: CustomerId, at: At });
export type EmailTakenOver = z.infer<typeof EmailTakenOver>;

/** The events of a customer's stream. */
export type CustomerEvent =
  | { type: 'CustomerRegistered'; data: CustomerRegistered }
  | { type: 'AddressChanged'; data: AddressChanged }
  | { type: 'RegistrationAbandoned'; data: RegistrationAbandoned };
/** The events of an email's reservation stream. */
export type EmailReservationEvent = { type: 'EmailReserved'; data: EmailReserved } | { type: 'EmailTakenOver'; data: EmailTakenOver };
export type CustomersEvent = CustomerEvent | EmailReservationEvent;

export const customersEventTypes = [
  'CustomerRegistered',
  'AddressChanged',
  'RegistrationAbandoned',
  'EmailReserved',
  'EmailTakenOver',
] as const satisfies readonly CustomersEvent['type'][];

/**
 * The store's schema registry (an `EventSchemaRegistry` of @ordo/eventstore): appends are
 * validated against it and stamped with the version; reads are upcast by it.
 */
export const customersEventSchemas = {
  CustomerRegistered: { version: 1, schema: CustomerRegistered },
  AddressChanged: { version: 1, schema: AddressChanged },
  RegistrationAbandoned: { version: 1, schema: RegistrationAbandoned },
  EmailReserved: { version: 1, schema: EmailReserved },
  EmailTakenOver: { version: 1, schema: EmailTakenOver },
} as const satisfies Record<CustomersEvent['type'], { version: number; schema: z.ZodType }>;

// ---- views -------------------------------------------------------------------------

/** GET /v1/customers/:id: what orders parses before it places an order for the customer. */
export const CustomerView = z.object({
  id: CustomerId,
  email: z.string(),
  name: z.string(),
  address: Address,
  status: CustomerStatus,
  /**
   * Who registered it (a token's subject, or `address:<ip>`), as `CustomerRegistered`
   * records it: orders places an order for a customer only for its owner, or for an operator.
   */
  owner: z.string().min(1),
});
export type CustomerView = z.infer<typeof CustomerView>;
