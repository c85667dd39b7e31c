// The first slice's end-to-end scenarios (issue: "Tests, both modes"), run against the
// shop however it was launched: the same assertions for embedded and local mode.
import { randomUUID } from 'node:crypto';
import { fetchRetryingRefusals } from '../src/retry-refusals';
import type { LaunchedShop } from './launch';
import { shopClient, uniqueSku, type ShopClient } from './shop-client';

export const shopScenarios = (launch: () => LaunchedShop) => {
  let shop: ShopClient;
  beforeAll(() => {
    shop = shopClient(launch().urls, launch().tokens);
  });

  it('places the order the printed curl sends, for the demo customer, as the caller it names', async () => {
    // The curl's own lines only: the output prints the operator's token in another curl.
    const { output } = launch();
    const start = output.findIndex((line) => line.includes('curl -s -X POST'));
    const curl = output.slice(start, output.findIndex((line, at) => at > start && line.includes("-d '")) + 1).join('\n');
    const body = /-d '(\{"customerId":[^']*\})'/.exec(curl)?.[1];
    const token = /-H 'authorization: Bearer ([^']+)'/.exec(curl)?.[1];
    if (start < 0 || !body) throw new Error(`no curl placing an order in the output:\n${output.join('\n')}`);
    const placed = await fetchRetryingRefusals(`${launch().urls.orders}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...(token && { authorization: `Bearer ${token}` }) },
      body,
    });
    expect(placed.status).toBe(201);
  });

  it('answers an order from the orders view right after its POST, given the ETag the POST answered with', async () => {
    const sku = uniqueSku('ryw');
    await shop.addProduct(sku, 700, 5);
    const placed = await shop.placeOrder([{ sku, quantity: 1 }]);
    expect(placed.status).toBe(201);
    const { orderId } = (await placed.json()) as { orderId: string };
    const etag = placed.headers.get('etag') as string;
    expect(etag).toBe(`"order-${orderId}:0"`);
    const { customer } = launch().tokens;
    const read = await fetch(`${launch().urls.ordersView}/v1/orders/${orderId}`, {
      headers: { 'read-after': etag, ...(customer && { authorization: `Bearer ${customer}` }) },
    });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ orderId, lines: [{ sku, quantity: 1, unitPriceCents: 700 }], totalCents: 700 });
  });

  it('confirms an order and keeps its stock reserved', async () => {
    const [mug, tee] = [uniqueSku('mug'), uniqueSku('tee')];
    await shop.addProduct(mug, 1200, 10);
    await shop.addProduct(tee, 2500, 5);

    const orderId = await shop.place([
      { sku: mug, quantity: 2 },
      { sku: tee, quantity: 1 },
    ]);
    const order = await shop.settled(orderId);

    expect(order).toMatchObject({ status: 'confirmed', totalCents: 2 * 1200 + 2500 });
    await shop.stockMatching(mug, { available: 8, reserved: 2, reservations: [{ orderId, quantity: 2 }] });
    await shop.stockMatching(tee, { available: 4, reserved: 1 });
  });

  it('rejects an order with a line out of stock, naming the sku, and releases the other lines', async () => {
    const [plenty, scarce, more] = [uniqueSku('plenty'), uniqueSku('scarce'), uniqueSku('more')];
    await shop.addProduct(plenty, 100, 10);
    await shop.addProduct(scarce, 100, 1);
    await shop.addProduct(more, 100, 3);

    const orderId = await shop.place([
      { sku: plenty, quantity: 4 },
      { sku: scarce, quantity: 2 },
      { sku: more, quantity: 3 },
    ]);
    const order = await shop.settled(orderId);

    expect(order.status).toBe('rejected');
    expect(order.reason).toContain(scarce);
    // Once the saga has rolled back, every reservation is released: stock is back where it was.
    await shop.waitFor(async () => (await shop.stock(plenty)).available === 10 && (await shop.stock(more)).available === 3, 'the releases');
    for (const [sku, added] of [
      [plenty, 10],
      [scarce, 1],
      [more, 3],
    ] as const) {
      await shop.stockMatching(sku, { available: added, reserved: 0, reservations: [] });
    }
  });

  it('places one order for the same POST sent twice with one Idempotency-Key', async () => {
    const sku = uniqueSku('once');
    await shop.addProduct(sku, 500, 10);
    const key = randomUUID();

    const first = await shop.place([{ sku, quantity: 1 }], key);
    const again = await shop.placeOrder([{ sku, quantity: 1 }], key);
    expect(again.status).toBe(201);
    expect(((await again.json()) as { orderId: string }).orderId).toBe(first);
    // Sent at once, a duplicate is either replayed or told the first is in progress: never a second order.
    const other = randomUUID();
    const racing = await Promise.all([shop.placeOrder([{ sku, quantity: 1 }], other), shop.placeOrder([{ sku, quantity: 1 }], other)]);
    expect(racing.map((response) => response.status).every((status) => status === 201 || status === 409)).toBe(true);
    const accepted = await Promise.all(
      racing.filter((response) => response.status === 201).map(async (response) => ((await response.json()) as { orderId: string }).orderId),
    );
    expect(new Set(accepted).size).toBe(1);

    await shop.settled(first);
    await shop.settled(accepted[0] as string);
    await shop.stockMatching(sku, { available: 8, reserved: 2 });
    expect((await shop.stock(sku)).reservations.map((reservation) => reservation.orderId).sort()).toEqual([first, accepted[0]].sort());
  });

  it('confirms exactly 20 of 50 orders placed at once for a sku with stock for 20, never going below zero', async () => {
    const sku = uniqueSku('rush');
    await shop.addProduct(sku, 999, 20);
    let watching = true;
    const seen: number[] = [];
    const watcher = (async () => {
      // The view may not hold the sku for a moment after its stock was added.
      while (watching) {
        const stock = await shop.stock(sku).catch(() => undefined);
        if (stock) seen.push(stock.available);
      }
    })();

    const orderIds = await Promise.all(Array.from({ length: 50 }, () => shop.place([{ sku, quantity: 1 }])));
    const orders = await Promise.all(orderIds.map((orderId) => shop.settled(orderId)));
    watching = false;
    await watcher;

    expect(orders.filter((order) => order.status === 'confirmed')).toHaveLength(20);
    const rejected = orders.filter((order) => order.status === 'rejected');
    expect(rejected).toHaveLength(30);
    for (const order of rejected) expect(order.reason).toContain(sku);
    await shop.stockMatching(sku, { available: 0, reserved: 20 });
    expect(seen.length).toBeGreaterThan(1);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0);
  });

  it('finishes every order after the saga is killed with SIGKILL with 100 orders in flight', async () => {
    const [a, b] = [uniqueSku('crash-a'), uniqueSku('crash-b')];
    await shop.addProduct(a, 100, 60);
    await shop.addProduct(b, 100, 1000);
    const orderIds = await Promise.all(
      Array.from({ length: 100 }, () =>
        shop.place([
          { sku: a, quantity: 1 },
          { sku: b, quantity: 2 },
        ]),
      ),
    );

    await launch().killSaga();
    shop = shopClient(launch().urls, launch().tokens);

    const orders = await Promise.all(orderIds.map((orderId) => shop.settled(orderId, 120_000)));
    const confirmed = new Set(orders.filter((order) => order.status === 'confirmed').map((order) => order.orderId));
    expect(confirmed.size).toBe(60);
    expect(orders.filter((order) => order.status === 'rejected')).toHaveLength(40);
    // No stock stays reserved for a rejected order; the confirmed ones hold theirs.
    const stocks = [await shop.stockMatching(a, { available: 0, reserved: 60 }), await shop.stockMatching(b, { available: 1000 - 120, reserved: 120 })];
    for (const stock of stocks) {
      expect(stock.reservations.every((reservation) => confirmed.has(reservation.orderId))).toBe(true);
      expect(stock.reservations).toHaveLength(60);
    }
  });
};
