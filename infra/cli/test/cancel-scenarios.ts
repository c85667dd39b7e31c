// CancelOrder and dispatch in a running shop on order placement's default version, 3, through the real
// orders, inventory, payments, shipping and sagas, however it was launched: the same
// assertions for embedded and local mode. The shop is started with payments' simulated
// provider answering each call after a second (PAYMENTS_LATENCY_MS=1000), so an order can be
// cancelled while its payment is being authorized. Whatever the moment, a cancelled order
// ends holding no stock and no money.
import { randomUUID } from 'node:crypto';
import type { LaunchedShop } from './launch';
import { shopClient, uniqueSku, type ShopClient } from './shop-client';

/** What the shop must be started with for these scenarios. */
export const CANCEL_SCENARIOS_ENV = { PAYMENTS_LATENCY_MS: '1000' };

export const cancelScenarios = (launch: () => LaunchedShop) => {
  let shop: ShopClient;
  beforeAll(() => {
    shop = shopClient(launch().urls, launch().tokens);
  });

  const asOperator = () => ({ authorization: `Bearer ${launch().tokens.operator}` });
  /** A read as the operator, from the service that answers it. */
  const read = async (service: 'payments' | 'shipping' | 'sagas', route: string) => {
    const response = await fetch(`${launch().urls[service]}${route}`, { headers: asOperator() });
    return { status: response.status, body: response.ok ? ((await response.json()) as Record<string, unknown>) : undefined };
  };
  /** As the customer who placed the order (anonymous in embedded mode). */
  const cancel = (orderId: string, reason: string, key: string = randomUUID()) => {
    const { customer } = launch().tokens;
    return fetch(`${launch().urls.orders}/v1/orders/${orderId}/cancellation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...(customer && { authorization: `Bearer ${customer}` }) },
      body: JSON.stringify({ reason }),
    });
  };
  const sagaStatus = async (saga: string, orderId: string) => (await read('sagas', `/v1/sagas/${saga}/${orderId}`)).body?.status;
  const waitForSaga = (saga: string, orderId: string, statuses: string[]) =>
    shop.waitFor(async () => statuses.includes(String(await sagaStatus(saga, orderId))), `the ${saga} saga of ${orderId} to be ${statuses.join(' or ')}`);
  const cancelled = (orderId: string) => shop.waitFor(async () => (await shop.order(orderId)).status === 'cancelled', `order ${orderId} to be cancelled`);
  /** An order of 2 of a fresh sku with 10 in stock, paid with a card the provider approves. */
  const placed = async (name: string) => {
    const sku = uniqueSku(name);
    await shop.addProduct(sku, 1200, 10);
    return { sku, orderId: await shop.place([{ sku, quantity: 2 }], undefined, 'tok_ok') };
  };

  it('before confirmation: the placement saga undoes what it did, voids the payment, releases the stock, and the order ends cancelled', async () => {
    const { sku, orderId } = await placed('early');
    // The authorization is under way (the provider takes a second): the pivot is not sent yet.
    await shop.waitFor(async () => {
      const view = (await read('sagas', `/v1/sagas/order-placement/${orderId}`)).body as { steps?: { name: string; status: string }[] } | undefined;
      return view?.steps?.find((step) => step.name === 'authorizePayment')?.status === 'running';
    }, 'the payment to be authorizing');

    const answer = await cancel(orderId, 'ordered the wrong size');
    expect(answer.status).toBe(202);
    expect(await answer.json()).toMatchObject({ orderId, status: 'pending', cancellation: { reason: 'ordered the wrong size' } });

    await cancelled(orderId);
    expect(await shop.order(orderId)).toMatchObject({ status: 'cancelled', reason: 'ordered the wrong size' });
    await waitForSaga('order-placement', orderId, ['rolled-back']);
    expect((await read('sagas', `/v1/sagas/order-placement/${orderId}`)).body).toMatchObject({ reason: 'the order was cancelled: ordered the wrong size' });
    expect((await read('payments', `/v1/payments/${orderId}`)).body).toMatchObject({ status: 'voided', capturedCents: 0 });
    await shop.stockMatching(sku, { available: 10, reserved: 0, dispatched: 0, reservations: [] });
    // Nothing started the cancellation saga: the order was never confirmed.
    expect((await read('sagas', `/v1/sagas/order-cancellation/${orderId}`)).status).toBe(404);
  });

  it('after confirmation: the cancellation saga cancels the shipment, releases the stock and refunds the captured payment', async () => {
    const { sku, orderId } = await placed('late');
    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed' });
    await waitForSaga('order-placement', orderId, ['completed']);

    expect((await cancel(orderId, 'found it cheaper')).status).toBe(202);
    await cancelled(orderId);
    await waitForSaga('order-cancellation', orderId, ['completed']);
    expect((await read('payments', `/v1/payments/${orderId}`)).body).toMatchObject({ status: 'refunded', capturedCents: 2400, refundedCents: 2400 });
    expect((await read('shipping', `/v1/shipments/${orderId}`)).body).toMatchObject({ status: 'cancelled' });
    await shop.stockMatching(sku, { available: 10, reserved: 0, dispatched: 0 });
  });

  it('cancelled as soon as confirmed, while the capture is on its way: payments takes the capture first and refunds it', async () => {
    const { sku, orderId } = await placed('race');
    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed' });

    expect((await cancel(orderId, 'changed my mind')).status).toBe(202);
    await cancelled(orderId);
    await waitForSaga('order-cancellation', orderId, ['completed']);
    // The capture went out before the cancellation began, on the same topic and key: it is never refused for it.
    expect((await read('payments', `/v1/payments/${orderId}`)).body).toMatchObject({ status: 'refunded', capturedCents: 2400, refundedCents: 2400 });
    await waitForSaga('order-placement', orderId, ['completed']);
    await shop.stockMatching(sku, { available: 10, reserved: 0, dispatched: 0 });
  });

  it('answers a retried cancellation with its first answer, and refuses a second one', async () => {
    const { orderId } = await placed('again');
    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed' });
    const key = randomUUID();
    const first = await cancel(orderId, 'ordered twice', key);
    const retried = await cancel(orderId, 'ordered twice', key);
    expect([first.status, retried.status]).toEqual([202, 202]);
    expect(await retried.json()).toEqual(await first.json());

    const another = await cancel(orderId, 'ordered twice');
    expect(another.status).toBe(409);
    expect(another.headers.get('content-type')).toMatch(/application\/problem\+json/);
    await cancelled(orderId);
  });

  it('dispatch: the warehouse dispatches a confirmed order, inventory commits its stock, orders marks it shipped, and a cancellation is refused', async () => {
    const { sku, orderId } = await placed('shipped');
    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed' });

    const dispatched = await fetch(`${launch().urls.shipping}/v1/shipments/${orderId}/dispatch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...asOperator() },
      body: JSON.stringify({ carrier: 'DHL', trackingNumber: 'JD014600006281230923' }),
    });
    expect(dispatched.status).toBe(200);
    await shop.waitFor(async () => (await shop.order(orderId)).status === 'shipped', 'the order to be shipped');
    await shop.waitFor(async () => (await shop.stock(sku)).reserved === 0, 'the stock committed');
    await shop.stockMatching(sku, { added: 10, available: 8, reserved: 0, dispatched: 2 });

    const asCustomer = { headers: launch().tokens.customer ? { authorization: `Bearer ${launch().tokens.customer}` } : undefined };
    const before = await fetch(`${launch().urls.ordersView}/v1/orders/${orderId}`, asCustomer);
    const refused = await cancel(orderId, 'too late');
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 409, detail: expect.stringMatching(/was shipped at .*; it can no longer be cancelled/) });
    // Nothing was appended: the order's stream is at the revision it was.
    const after = await fetch(`${launch().urls.ordersView}/v1/orders/${orderId}`, asCustomer);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(await after.json()).toMatchObject({ status: 'shipped' });
  });
};
