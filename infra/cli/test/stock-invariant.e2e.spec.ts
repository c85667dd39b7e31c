import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { launchEmbedded, type LaunchedShop } from './launch';
import { shopClient, uniqueSku, type OrderView, type ShopClient, type StockView } from './shop-client';

// The stock invariant in a running shop (`npm start`, order placement's default version, 3), over
// random sequences of orders placed, cancelled and dispatched: after every step, for the sku,
// available + reserved + dispatched = added and nothing is negative; once every order has
// settled, the stock is what the orders say (confirmed ones hold theirs, shipped ones took
// theirs, cancelled and rejected ones hold none), and no cancelled order holds money.
describe('the stock invariant over orders placed, cancelled and dispatched', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ordo-stock-invariant-'));
  let launched: LaunchedShop;
  let shop: ShopClient;
  const ADDED = 8;

  beforeAll(async () => {
    launched = await launchEmbedded(dataDir);
    shop = shopClient(launched.urls, launched.tokens);
  });
  afterAll(async () => {
    await launched?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (route: string, body: unknown, token?: string) =>
    fetch(`${launched.urls.orders}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  const paymentOf = async (orderId: string) => {
    const response = await fetch(`${launched.urls.orders}/v1/payments/${orderId}`, { headers: { authorization: `Bearer ${launched.tokens.operator}` } });
    if (response.status === 404) return undefined;
    return (await response.json()) as { status: string; capturedCents: number; refundedCents: number };
  };
  const holds = ({ added, available, reserved, dispatched }: StockView) =>
    available >= 0 && reserved >= 0 && dispatched >= 0 && available + reserved + dispatched === added;

  // `settle` waits until an order is confirmed or rejected, so later steps reach it at every stage.
  type Step = { kind: 'place'; quantity: number } | { kind: 'cancel' | 'dispatch' | 'settle'; order: number };
  const onOrder = (kind: 'cancel' | 'dispatch' | 'settle') => fc.nat().map((order) => ({ kind, order }));
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }).map((quantity) => ({ kind: 'place' as const, quantity })) },
    { weight: 2, arbitrary: onOrder('settle') },
    { weight: 2, arbitrary: onOrder('cancel') },
    { weight: 2, arbitrary: onOrder('dispatch') },
  );

  it('holds after every step, and the settled stock is what the orders say', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const sku = uniqueSku('inv');
        await shop.addProduct(sku, 500, ADDED);
        const orders: { orderId: string; quantity: number }[] = [];
        for (const each of steps) {
          const target = orders.length > 0 && each.kind !== 'place' ? orders[each.order % orders.length] : undefined;
          if (each.kind === 'place')
            orders.push({ orderId: await shop.place([{ sku, quantity: each.quantity }], undefined, 'tok_ok'), quantity: each.quantity });
          else if (target && each.kind === 'settle') await shop.settled(target.orderId);
          // Its ETag is remembered: the order's reads wait until the view shows the cancellation under way.
          else if (target && each.kind === 'cancel') shop.wrote(await post(`/v1/orders/${target.orderId}/cancellation`, { reason: 'changed my mind' }));
          // A warehouse dispatches confirmed orders only.
          else if (target && (await shop.order(target.orderId)).status === 'confirmed')
            await post(`/v1/shipments/${target.orderId}/dispatch`, { carrier: 'DHL' }, launched.tokens.operator);
          expect(holds(await shop.stock(sku))).toBe(true);
        }

        // Settled: no order pending, none with a cancellation under way, read once the views hold
        // every event (a view a quarter of a second behind would show a cancellation not yet asked for).
        let settled: OrderView[] = [];
        await shop.waitFor(async () => {
          await shop.viewsCaughtUp();
          settled = await Promise.all(orders.map(({ orderId }) => shop.order(orderId)));
          return settled.every((order) => order.status !== 'pending' && order.cancellation === undefined);
        }, 'every order settled');
        const sum = (status: string) => settled.reduce((total, order, index) => total + (order.status === status ? (orders[index]?.quantity ?? 0) : 0), 0);
        const expected = { added: ADDED, reserved: sum('confirmed'), dispatched: sum('shipped'), available: ADDED - sum('confirmed') - sum('shipped') };
        await shop.waitFor(
          async () => {
            const stock = await shop.stock(sku);
            return stock.reserved === expected.reserved && stock.dispatched === expected.dispatched;
          },
          `the stock of ${sku} to be ${JSON.stringify(expected)}`,
        );
        await shop.stockMatching(sku, expected);

        // A cancelled order's payment is voided or refunded, once the cancellation is done (none at all: cancelled before its authorization).
        for (const order of settled.filter((each) => each.status === 'cancelled'))
          await shop.waitFor(async () => {
            const payment = await paymentOf(order.orderId);
            return payment === undefined || (['voided', 'refunded'].includes(payment.status) && payment.refundedCents === payment.capturedCents);
          }, `the payment of cancelled order ${order.orderId} to hold nothing`);
      }),
      { numRuns: 8 },
    );
  });
});
