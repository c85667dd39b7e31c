import { catalogEventSchemas, productStream } from '@ordo/catalog-contract';
import { issueCommand, recordEvent, startTestHost, type TestHost } from '@ordo/host/testing';
import { MIN_SETTLED, PROBLEM_CONTENT_TYPE, SETTLE_WINDOW_MS } from '@ordo/http';
import type { OrdersCommandMessage } from '@ordo/orders-contract';
import { eventually } from '@ordo/testing';
import { startCustomersPeer, type CustomersPeer } from '../test/customers-peer';
import { orderState } from '../test/order-state';
import { ordersService } from './service';

// Orders refuses new orders while the ones it accepted settle slowly: the order path behind
// it is backed up (docs/service-chassis.md, "Load shedding"). The orders' clock is moved
// between their placing and the stand-in saga's verdicts, as a backlog would delay them.

describe('orders past the order path’s capacity', () => {
  let host: TestHost<'catalog' | 'sagas'>;
  let customers: CustomersPeer;
  let customerId: string;
  let now = Date.parse('2025-03-01T10:00:00.000Z');

  beforeAll(async () => {
    customers = await startCustomersPeer();
    customerId = await customers.register();
    host = await startTestHost({
      service: ordersService,
      peers: customers.peers,
      standIns: { catalog: { registry: catalogEventSchemas }, sagas: {} },
      clock: () => new Date(now),
      anonymousCustomers: true,
    });
    const at = new Date(now).toISOString();
    await recordEvent(host.standIns.catalog, {
      stream: productStream('TEE-1'),
      type: 'ProductAdded',
      data: { sku: 'TEE-1', name: 'T-shirt', priceCents: 1999, at },
    });
    await eventually(async () => (await fetch(`${host.url}/v1/prices/TEE-1`)).status === 200, 'the price known');
  });

  afterAll(async () => {
    await host?.close();
    await customers?.host.close();
  });

  const placeOrder = () =>
    fetch(`${host.url}/v1/orders`, {
      method: 'POST',
      body: JSON.stringify({ customerId, lines: [{ sku: 'TEE-1', quantity: 1 }] }),
      headers: { 'content-type': 'application/json' },
    });
  const placed = async () => ((await (await placeOrder()).json()) as { orderId: string }).orderId;

  /** MIN_SETTLED orders placed now, and the saga's verdicts on them `delayMs` later, by orders' clock; handled before it answers. */
  const settleOrders = async (delayMs: number, verdict: OrdersCommandMessage['type']) => {
    const orderIds = await Promise.all(Array.from({ length: MIN_SETTLED }, placed));
    now += delayMs;
    for (const orderId of orderIds) {
      const data = verdict === 'RejectOrder' ? { orderId, reason: 'payment declined' } : { orderId };
      await issueCommand(host.standIns.sagas, { target: 'orders', key: orderId, type: verdict, data, correlationId: `saga-${orderId}` });
    }
    const settled = verdict === 'RejectOrder' ? 'rejected' : 'confirmed';
    for (const orderId of orderIds) await eventually(async () => (await orderState(host.store, orderId)).state.status === settled, `${orderId} ${settled}`);
    return orderIds;
  };

  it('refuses new orders with 503 problem+json and Retry-After while the verdicts of the last second came too late, and answers reads', async () => {
    await settleOrders(2_000, 'ConfirmOrder');
    const refused = await placeOrder();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')?.split(';')[0]).toBe(PROBLEM_CONTENT_TYPE);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { detail: string }).detail).toContain('took a median 2000 ms to settle');
    expect((await fetch(`${host.url}/v1/prices/TEE-1`)).status).toBe(200);

    // Nothing settles meanwhile: once the slow verdicts leave the window, orders are taken again.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WINDOW_MS + 50));
    expect((await placeOrder()).status).toBe(201);
  });

  it('counts rejections as verdicts too, and takes orders while they come quickly', async () => {
    await settleOrders(2_000, 'RejectOrder');
    expect((await placeOrder()).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_WINDOW_MS + 50));

    await settleOrders(100, 'ConfirmOrder');
    expect((await placeOrder()).status).toBe(201);
  });
});
