import type { CustomerView } from '@ordo/customers-contract';
import type { ServiceClient } from '@ordo/http';
import { httpCustomerDirectory } from './customers';

// The directory's own rule, over a client that only counts and answers when told: checks of
// one customer asked together make one call; nothing is kept once it answered.
const customer: CustomerView = {
  id: '5f0c8a3e-2b1d-4c6e-9a7f-1e2d3c4b5a69',
  email: 'ada@example.com',
  name: 'Ada',
  address: { line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  status: 'active',
  owner: 'ada',
};

const countingClient = () => {
  const calls: string[] = [];
  const pending: { resolve: (answer: { status: number; body: unknown }) => void; reject: (error: Error) => void }[] = [];
  const client = {
    getJson: (path: string) => {
      calls.push(path);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  } as unknown as ServiceClient;
  return { client, calls, pending };
};

describe('httpCustomerDirectory', () => {
  it('makes one call for the checks of one customer asked while it is under way, and answers each', async () => {
    const { client, calls, pending } = countingClient();
    const directory = httpCustomerDirectory(client);
    const asked = Array.from({ length: 5 }, () => directory.customerOf('c-1'));
    const other = directory.customerOf('c-2');
    expect(calls).toEqual(['/v1/customers/c-1', '/v1/customers/c-2']);
    pending[0]?.resolve({ status: 200, body: customer });
    pending[1]?.resolve({ status: 404, body: {} });
    for (const answer of await Promise.all(asked)) expect(answer).toEqual({ address: customer.address, owner: 'ada' });
    expect(await other).toBeUndefined();
  });

  it('keeps nothing once answered: the next check calls again, and a failure is not remembered', async () => {
    const { client, calls, pending } = countingClient();
    const directory = httpCustomerDirectory(client);
    const failing = directory.customerOf('c-1');
    const sharing = directory.customerOf('c-1');
    pending[0]?.reject(new Error('customers is unavailable'));
    await expect(failing).rejects.toThrow('customers is unavailable');
    await expect(sharing).rejects.toThrow('customers is unavailable');
    const again = directory.customerOf('c-1');
    expect(calls).toHaveLength(2);
    pending[1]?.resolve({ status: 200, body: customer });
    expect(await again).toEqual({ address: customer.address, owner: 'ada' });
  });
});
