import { catalogEventSchemas, productStream } from '@ordo/catalog-contract';
import { eventIdFor } from '@ordo/eventstore';
import type { Principal } from '@ordo/http';
import { issueCommand, startTestHost, type TestHost } from '@ordo/host/testing';
import { eventually } from '@ordo/testing';
import { inventoryService } from './service';

// Who sees what of a sku's stock: the numbers are public; which orders hold stock is for
// viewers and above. Stock is added by an operator; a reservation arrives as the saga
// sends it, a CommandIssued in a stand-in 'sagas' store.
const NOW = '2025-03-01T10:00:00.000Z';
const TOKENS = new Map<string, Principal>([
  ['token-customer', { subject: 'customer-a', roles: ['customer'] }],
  ['token-viewer', { subject: 'support', roles: ['viewer'] }],
  ['token-operator', { subject: 'ops', roles: ['operator'] }],
]);
const ORDER_ID = '0b7d4c1e-5a8f-4e2b-9c3d-6f1a2b3c4d5e';

describe('the reservations of a stock', () => {
  let host: TestHost<'catalog' | 'sagas'>;
  const stockAs = async (token?: string) => {
    const response = await fetch(`${host.url}/v1/stock/SKU-1`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect(response.status).toBe(200);
    expect(response.headers.get('vary')).toMatch(/authorization/i);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    host = await startTestHost({
      service: inventoryService,
      standIns: { catalog: { registry: catalogEventSchemas }, sagas: {} },
      clock: () => new Date(NOW),
      authTokens: TOKENS,
    });
    const seed = { correlationId: 'seed', causationId: 'seed', commandId: 'seed-sku-1', schemaVersion: 1 };
    await host.standIns.catalog.appendToStream(
      productStream('SKU-1'),
      [{ id: eventIdFor('seed-sku-1', 0), type: 'ProductAdded', data: { sku: 'SKU-1', name: 'Mug', priceCents: 100, at: NOW }, metadata: seed }],
      {
        expectedRevision: 'any',
      },
    );
    await eventually(async () => (await fetch(`${host.url}/v1/stock/SKU-1`)).status === 200, 'inventory to learn of SKU-1');
    const added = await fetch(`${host.url}/v1/stock/SKU-1/additions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer token-operator' },
      body: JSON.stringify({ quantity: 5 }),
    });
    expect(added.status).toBe(200);

    await issueCommand(host.standIns.sagas, {
      target: 'inventory',
      key: 'SKU-1',
      type: 'ReserveStock',
      data: { sku: 'SKU-1', orderId: ORDER_ID, quantity: 2 },
    });
    await eventually(async () => (await stockAs()).reserved === 2, 'the reservation');
  });
  afterAll(() => host?.close());

  it('hides which orders hold stock from an anonymous caller and from a customer', async () => {
    expect(await stockAs()).toEqual({ sku: 'SKU-1', added: 5, available: 3, reserved: 2, dispatched: 0 });
    expect(await stockAs('token-customer')).toEqual({ sku: 'SKU-1', added: 5, available: 3, reserved: 2, dispatched: 0 });
  });

  it('shows them to a viewer and above', async () => {
    const shown = { sku: 'SKU-1', added: 5, available: 3, reserved: 2, dispatched: 0, reservations: [{ orderId: ORDER_ID, quantity: 2 }] };
    expect(await stockAs('token-viewer')).toEqual(shown);
    expect(await stockAs('token-operator')).toEqual(shown);
  });
});
