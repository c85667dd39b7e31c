import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchEmbedded, startEmbeddedProcess, type LaunchedShop } from './launch';
import { shopClient, uniqueSku, type ShopClient } from './shop-client';

// `ORDO_ORDER_PLACEMENT_VERSION=2 npm start`: the shop places orders through the five-step
// saga (reserve, authorize, schedule, confirm, capture) on the real payments and shipping,
// with payments' simulated provider, which declines the card `tok_decline`.
describe('the shop in embedded mode on order placement version 2', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-five-step-'));
  let launched: LaunchedShop;
  let shop: ShopClient;

  beforeAll(async () => {
    launched = await launchEmbedded(dataDir, { ORDO_ORDER_PLACEMENT_VERSION: '2' });
    shop = shopClient(launched.urls, launched.tokens);
  });
  afterAll(async () => {
    await launched?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // Embedded, every service's routes are served on one port: payments' and shipping's too.
  const read = async (route: string) => {
    const response = await fetch(`${launched.urls.orders}${route}`, { headers: { authorization: `Bearer ${launched.tokens.operator}` } });
    return { status: response.status, body: response.ok ? ((await response.json()) as Record<string, unknown>) : undefined };
  };

  it('confirms an order paid with a card, schedules its shipment and captures its payment', async () => {
    const sku = uniqueSku('paid');
    await shop.addProduct(sku, 1200, 10);
    const orderId = await shop.place([{ sku, quantity: 2 }], undefined, 'tok_ok');

    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed', totalCents: 2400 });
    // The capture follows the confirmation.
    await shop.waitFor(async () => (await read(`/v1/payments/${orderId}`)).body?.status === 'captured', 'the payment captured');
    expect((await read(`/v1/payments/${orderId}`)).body).toMatchObject({ status: 'captured', capturedCents: 2400 });
    expect((await read(`/v1/shipments/${orderId}`)).body).toMatchObject({ status: 'scheduled', lines: [{ sku, quantity: 2 }] });
    await shop.waitFor(async () => (await read(`/v1/sagas/order-placement/${orderId}`)).body?.status === 'completed', 'the saga completed');
    await shop.stockMatching(sku, { available: 8, reserved: 2 });
  });

  it('rejects an order whose card is declined, releases its stock and schedules no shipment', async () => {
    const sku = uniqueSku('declined');
    await shop.addProduct(sku, 1200, 10);
    const orderId = await shop.place([{ sku, quantity: 3 }], undefined, 'tok_decline');

    const order = await shop.settled(orderId);
    expect(order.status).toBe('rejected');
    expect(order.reason).toMatch(/declin/i);
    await shop.waitFor(async () => (await shop.stock(sku)).available === 10, 'the stock released');
    await shop.stockMatching(sku, { available: 10, reserved: 0, reservations: [] });
    expect((await read(`/v1/payments/${orderId}`)).body).toMatchObject({ status: 'declined' });
    expect((await read(`/v1/shipments/${orderId}`)).status).toBe(404);
  });

  it('rejects an order placed without a card token, saying so', async () => {
    const sku = uniqueSku('nocard');
    await shop.addProduct(sku, 1200, 10);
    const orderId = await shop.place([{ sku, quantity: 1 }], undefined, null);

    expect(await shop.settled(orderId)).toMatchObject({ status: 'rejected', reason: 'no card token was given' });
    await shop.waitFor(async () => (await shop.stock(sku)).available === 10, 'the stock released');
    expect((await read(`/v1/payments/${orderId}`)).status).toBe(404);
  });

  it('refuses to start on a version order placement does not have, naming the versions', async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-five-step-bad-'));
    try {
      const started = startEmbeddedProcess(otherDir, 0, { ORDO_ORDER_PLACEMENT_VERSION: '4' });
      expect(await started.exitCode()).not.toBe(0);
      expect(started.output.join('\n')).toMatch(/ORDO_ORDER_PLACEMENT_VERSION: expected one of the versions of order placement: 3, 2, 1/);
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
