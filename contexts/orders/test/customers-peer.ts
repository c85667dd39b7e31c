// The customers service that orders' specs place orders for: the real one, mounted on its
// own test host, with the token orders calls it with.
import { randomUUID } from 'node:crypto';
import { customersService } from '@ordo/customers';
import { startTestHost, type TestHost } from '@ordo/host/testing';

/** The token orders calls customers with, as a host gives it (role viewer). */
export const SERVICE_TOKEN = 'orders-spec-service';

export interface CustomersPeer {
  host: TestHost;
  /** What orders' test host is given as `peers`: mutate `urls.customers` to point orders elsewhere. */
  peers: { urls: Record<string, string>; token: string };
  /** Registers a customer and answers its id. */
  register(): Promise<string>;
}

export const startCustomersPeer = async (): Promise<CustomersPeer> => {
  const host = await startTestHost({ service: customersService, authTokens: new Map([[SERVICE_TOKEN, { subject: 'service:orders', roles: ['viewer'] }]]) });
  return {
    host,
    peers: { urls: { customers: host.url }, token: SERVICE_TOKEN },
    register: async () => {
      const response = await fetch(`${host.url}/v1/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${randomUUID()}@example.com`,
          name: 'Ada',
          address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
        }),
      });
      if (response.status !== 201) throw new Error(`customers refused the registration: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
  };
};
