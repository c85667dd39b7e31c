import { setTimeout as sleep } from 'node:timers/promises';
import { catalogEventSchemas, productStream } from '@ordo/catalog-contract';
import { recordEvent, startTestHost, type TestHost } from '@ordo/host/testing';
import { eventually } from '@ordo/testing';
import { startCustomersPeer, type CustomersPeer } from '../test/customers-peer';
import { ordersService } from './service';

// Orders checks the customer with customers over HTTP before placing an order: the real
// customers service on its own host. Pointing orders at a dead port stands for customers
// being down; pointing it back, for customers returning.
const at = '2025-03-01T10:00:00.000Z';
// The card token the simulated payment provider approves (payments' TEST_CARDS.ok).
const payment = { cardToken: 'tok_ok' };
const DEAD_PORT = 'http://127.0.0.1:9';

describe('orders checking the customer with customers', () => {
  let customers: CustomersPeer;
  let host: TestHost<'catalog'>;
  let customerId: string;

  beforeAll(async () => {
    customers = await startCustomersPeer();
    customerId = await customers.register();
    host = await startTestHost({
      service: ordersService,
      peers: customers.peers,
      standIns: { catalog: { registry: catalogEventSchemas } },
      anonymousCustomers: true,
    });
    await recordEvent(host.standIns.catalog, {
      stream: productStream('MUG-1'),
      type: 'ProductAdded',
      data: { sku: 'MUG-1', name: 'Mug', priceCents: 1250, at },
    });
    await eventually(async () => (await fetch(`${host.url}/v1/prices/MUG-1`)).status === 200, 'the price of MUG-1');
  });
  afterAll(async () => {
    await host?.close();
    await customers?.host.close();
  });

  const place = async (forCustomer = customerId) => {
    const response = await fetch(`${host.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: forCustomer, lines: [{ sku: 'MUG-1', quantity: 1 }], payment }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };
  const appended = async () => Number((await host.sql.query<{ count: string }>(`select count(*) from ${host.schema}.events`)).rows[0]?.count);
  const breakerState = async () =>
    (await host.metrics.registry.getSingleMetric('ordo_circuit_breaker_state')?.get())?.values.find((value) => value.labels.target === 'customers')?.value;

  it('places an order for a known customer, and refuses an unknown one naming the field, appending nothing', async () => {
    expect(await place()).toMatchObject({ status: 201, body: { customerId, status: 'pending' } });
    const before = await appended();
    const unknown = await place('00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ in: 'body', path: '/customerId', message: 'no customer 00000000-0000-4000-8000-000000000000' }]);
    expect(await appended()).toBe(before);
  });

  it('refuses orders with 503 while customers is down, opens its circuit, and closes it once customers is back', async () => {
    const before = await appended();
    customers.peers.urls.customers = DEAD_PORT;
    // Five calls fail (each after its retries), which opens the circuit.
    for (let failed = 0; failed < 5; failed++) {
      const refused = await place();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.headers.get('retry-after')).toBe('5');
    }
    expect(await breakerState()).toBe(1);
    // While open, customers is not even tried: the answer says so.
    expect((await place()).body.detail).toBe('customers is unavailable: its circuit is open after repeated failures');
    expect(await appended()).toBe(before);

    customers.peers.urls.customers = customers.host.url;
    await sleep(5_100); // the breaker's half-open delay: its next call is a trial
    expect(await place()).toMatchObject({ status: 201 });
    expect(await breakerState()).toBe(0);
  });
});
