// The customers service that orders' specs place orders for: the real one, mounted on its
// own test host, with the token orders calls it with and the callers' tokens, so a spec
// registers each customer as the caller that will order for it.
import { randomUUID } from 'node:crypto';
import { customersService } from '@ordo/customers';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import type { Principal } from '@ordo/http';

/** The token orders calls customers with, as a host gives it (role viewer). */
export const SERVICE_TOKEN = 'orders-spec-service';

export interface CustomersPeer {
  host: TestHost;
  /** What orders' test host is given as `peers`: mutate `urls.customers` to point orders elsewhere. */
  peers: { urls: Record<string, string>; token: string };
  /** A registration's body, with an email no other has. */
  signUp(): { email: string; name: string; address: { line1: string; city: string; postalCode: string; country: string } };
  /** Registers a customer as the caller with this token (anonymously, from 127.0.0.1, without one) and answers its id. */
  register(as?: { token?: string }): Promise<string>;
}

/** `callers`: the tokens of those who register customers, besides orders' own. */
export const startCustomersPeer = async (callers: ReadonlyMap<string, Principal> = new Map()): Promise<CustomersPeer> => {
  const authTokens = new Map<string, Principal>([...callers, [SERVICE_TOKEN, { subject: 'service:orders', roles: ['viewer'] }]]);
  const host = await startTestHost({ service: customersService, authTokens });
  const signUp = () => ({
    email: `${randomUUID()}@example.com`,
    name: 'Ada',
    address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
  });
  return {
    host,
    peers: { urls: { customers: host.url }, token: SERVICE_TOKEN },
    signUp,
    register: async ({ token } = {}) => {
      const response = await fetch(`${host.url}/v1/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(signUp()),
      });
      if (response.status !== 201) throw new Error(`customers refused the registration: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
  };
};
