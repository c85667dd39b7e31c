// Issue 12's end-to-end scenarios on order placement's default version, 3, the five-step flow
// (reserve stock -> authorize the payment -> schedule the shipment -> confirm the order, the
// pivot -> capture the payment; a free order skips both payment steps), run against the
// shop however it was launched: the same assertions for embedded and local mode. Each one
// reads the end state through the services' HTTP APIs: the order, the stock per sku, the
// saga instance's view, the payment and the shipment.
import { randomUUID } from 'node:crypto';
import { fetchRetryingRefusals } from '../src/retry-refusals';
import type { LaunchedShop } from './launch';
import { shopClient, uniqueSku, type ShopClient } from './shop-client';

/** The saga's deadline and the hanging provider's wait the shop must be started with (FIVE_STEP_ENV). */
export const DEADLINE_MS = 2_000;
/**
 * How long the provider takes to authorize the card `tok_hang`: well past the two sendings
 * of the authorization (2 x 2 s, a second of backoff, the scheduler's 1 s polls), so the saga
 * has compensated before the authorization lands.
 */
export const HANG_MS = 15_000;

/** The environment a five-step shop runs with: the default version, short deadlines, and a provider that answers tok_hang late. */
export const FIVE_STEP_ENV = {
  ORDO_ORDER_PLACEMENT_DEADLINE_MS: String(DEADLINE_MS),
  PAYMENTS_HANG_MS: String(HANG_MS),
  // Payments waits the hang out (its default gives up after 5 s and retries): the late answer is then recorded.
  PAYMENTS_PROVIDER_TIMEOUT_MS: String(2 * HANG_MS),
};

export interface FiveStepShop {
  launched: LaunchedShop;
  /** Payments' and shipping's base URLs (embedded: the shop's one URL). */
  payments: string;
  shipping: string;
}

/** The saga instance as GET /v1/sagas/order-placement/:orderId shows it (the fields the scenarios read). */
export interface SagaView {
  version: number;
  status: string;
  reason?: string;
  failed?: { step: string; kind: string; reason: string };
  ignoredReplies: { replyId: string; replyType: string; why: string; commandId?: string }[];
  operatorActions: { action: string; by: string; reason: string; at: string }[];
  steps: { name: string; status: string; commands: { type: string; outcome?: string; attempt?: number; timeouts?: number; replyType?: string }[] }[];
}

/** The five steps of versions 2 and 3 (and the order's own), in order. */
export const FIVE_STEPS = ['order', 'reserveStock', 'authorizePayment', 'scheduleShipment', 'confirmOrder', 'capturePayment'];

/** What the scenarios ask of a five-step shop beyond the shop client: the saga, payments and shipping, read as the operator. */
export const fiveStepClient = (host: FiveStepShop) => {
  const { urls, tokens } = host.launched;
  const shop = shopClient(urls, tokens);
  const asOperator = { authorization: `Bearer ${tokens.operator}` };
  const read = async <T>(url: string): Promise<{ status: number; body?: T; etag?: string }> => {
    const response = await fetch(url, { headers: asOperator });
    return { status: response.status, ...(response.ok && { body: (await response.json()) as T }), etag: response.headers.get('etag') ?? undefined };
  };
  const client = {
    shop,
    saga: (orderId: string) => read<SagaView>(`${urls.sagas}/v1/sagas/order-placement/${orderId}`),
    payment: (orderId: string) =>
      read<{ status: string; authorizationId?: string; capturedCents?: number; reason?: string }>(`${host.payments}/v1/payments/${orderId}`),
    shipment: (orderId: string) =>
      read<{ status: string; reason?: string; lines: { sku: string; quantity: number }[] }>(`${host.shipping}/v1/shipments/${orderId}`),
    /** Waits until the instance's view passes `check`, and returns it. */
    sagaWhen: async (orderId: string, check: (view: SagaView) => boolean, what: string, timeoutMs = 60_000): Promise<SagaView> => {
      let seen: SagaView | undefined;
      await shop.waitFor(
        async () => {
          seen = (await client.saga(orderId)).body;
          return seen !== undefined && check(seen);
        },
        `order ${orderId}'s saga: ${what}`,
        timeoutMs,
      );
      return seen as SagaView;
    },
    /** The status of each step, by name. */
    stepStatuses: (view: SagaView) => Object.fromEntries(view.steps.map((step) => [step.name, step.status])),
    /** Registers a customer living in `country` and places an order for them, paid with `cardToken`. */
    placeFor: async (country: string, lines: { sku: string; quantity: number }[], cardToken: string): Promise<string> => {
      const headers = {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(tokens.customer && { authorization: `Bearer ${tokens.customer}` }),
      };
      const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country };
      const registered = await fetch(`${urls.customers}/v1/customers`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ email: `${randomUUID()}@example.com`, name: 'Abroad', address }),
      });
      if (registered.status !== 201) throw new Error(`register a customer in ${country}: ${registered.status} ${await registered.text()}`);
      const { id: customerId } = (await registered.json()) as { id: string };
      const placed = await fetchRetryingRefusals(`${urls.orders}/v1/orders`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ customerId, lines, cardToken }),
      });
      if (placed.status !== 201) throw new Error(`place an order: ${placed.status} ${await placed.text()}`);
      return ((await placed.json()) as { orderId: string }).orderId;
    },
    /** Waits until every sku's stock is back to `available` with nothing reserved. */
    released: async (stock: Record<string, number>) => {
      await shop.waitFor(async () => {
        for (const [sku, available] of Object.entries(stock)) if ((await shop.stock(sku)).available !== available) return false;
        return true;
      }, 'the stock released');
      for (const [sku, available] of Object.entries(stock)) await shop.stockMatching(sku, { available, reserved: 0, reservations: [] });
    },
  };
  return client;
};

export type FiveStepClient = ReturnType<typeof fiveStepClient>;

/** Scenarios 1 to 7 of the issue, both modes alike. */
export const fiveStepScenarios = (host: () => FiveStepShop) => {
  let client: FiveStepClient;
  let shop: ShopClient;
  beforeAll(() => {
    client = fiveStepClient(host());
    shop = client.shop;
  });

  it('confirms an order paid with a card: stock reserved, payment authorized then captured, shipment scheduled, saga completed on version 3', async () => {
    const [mug, tee] = [uniqueSku('happy-mug'), uniqueSku('happy-tee')];
    await shop.addProduct(mug, 1200, 10);
    await shop.addProduct(tee, 2500, 5);
    const orderId = await shop.place(
      [
        { sku: mug, quantity: 2 },
        { sku: tee, quantity: 1 },
      ],
      undefined,
      'tok_ok',
    );

    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed', totalCents: 4900 });
    const view = await client.sagaWhen(orderId, (saga) => saga.status === 'completed', 'completed');
    expect(view.version).toBe(3);
    expect(view.steps.map((step) => step.name)).toEqual(FIVE_STEPS);
    expect(view.steps.every((step) => step.status === 'succeeded')).toBe(true);
    expect(view.steps.find((step) => step.name === 'capturePayment')?.commands).toEqual([
      expect.objectContaining({ type: 'CapturePayment', outcome: 'success', replyType: 'PaymentCaptured' }),
    ]);
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'captured', capturedCents: 4900 });
    expect((await client.shipment(orderId)).body).toMatchObject({ status: 'scheduled' });
    expect((await client.shipment(orderId)).body?.lines).toEqual(
      expect.arrayContaining([
        { sku: mug, quantity: 2 },
        { sku: tee, quantity: 1 },
      ]),
    );
    await shop.stockMatching(mug, { available: 8, reserved: 2, reservations: [{ orderId, quantity: 2 }] });
    await shop.stockMatching(tee, { available: 4, reserved: 1, reservations: [{ orderId, quantity: 1 }] });
  });

  it('confirms a free order (a product priced 0) without a card and without a payment: the payment steps skipped, the shipment scheduled', async () => {
    const sample = uniqueSku('free-sample');
    await shop.addProduct(sample, 0, 10);
    const orderId = await shop.place([{ sku: sample, quantity: 2 }], undefined, null);

    expect(await shop.settled(orderId)).toMatchObject({ status: 'confirmed', totalCents: 0 });
    const view = await client.sagaWhen(orderId, (saga) => saga.status === 'completed', 'completed');
    expect(client.stepStatuses(view)).toEqual({
      order: 'succeeded',
      reserveStock: 'succeeded',
      authorizePayment: 'skipped',
      scheduleShipment: 'succeeded',
      confirmOrder: 'succeeded',
      capturePayment: 'skipped',
    });
    expect(view.steps.flatMap((step) => step.commands.map((command) => command.type))).not.toContain('AuthorizePayment');
    // Payments was asked nothing: it has no payment for the order.
    expect((await client.payment(orderId)).status).toBe(404);
    expect((await client.shipment(orderId)).body).toMatchObject({ status: 'scheduled', lines: [{ sku: sample, quantity: 2 }] });
    await shop.stockMatching(sample, { available: 8, reserved: 2, reservations: [{ orderId, quantity: 2 }] });
  });

  it('rejects an order with a line out of stock, naming the sku, reserves nothing and never authorizes its payment', async () => {
    const [plenty, scarce] = [uniqueSku('plenty'), uniqueSku('scarce')];
    await shop.addProduct(plenty, 100, 10);
    await shop.addProduct(scarce, 100, 1);
    const orderId = await shop.place(
      [
        { sku: plenty, quantity: 3 },
        { sku: scarce, quantity: 2 },
      ],
      undefined,
      'tok_ok',
    );

    const order = await shop.settled(orderId);
    expect(order.status).toBe('rejected');
    expect(order.reason).toContain(scarce);
    await client.released({ [plenty]: 10, [scarce]: 1 });
    const view = await client.sagaWhen(orderId, (saga) => saga.status === 'rolled-back', 'rolled back');
    expect(view.reason).toContain(scarce);
    expect(client.stepStatuses(view)).toMatchObject({
      reserveStock: 'compensated',
      authorizePayment: 'pending',
      scheduleShipment: 'pending',
      confirmOrder: 'pending',
    });
    expect((await client.payment(orderId)).status).toBe(404);
    expect((await client.shipment(orderId)).status).toBe(404);
  });

  it('rejects an order whose card is declined, with the decline as its reason, and releases its stock', async () => {
    const sku = uniqueSku('declined');
    await shop.addProduct(sku, 1200, 10);
    const orderId = await shop.place([{ sku, quantity: 3 }], undefined, 'tok_decline');

    expect(await shop.settled(orderId)).toMatchObject({ status: 'rejected', reason: 'the card was declined' });
    await client.released({ [sku]: 10 });
    const view = await client.sagaWhen(orderId, (saga) => saga.status === 'rolled-back', 'rolled back');
    expect(client.stepStatuses(view)).toMatchObject({
      reserveStock: 'compensated',
      authorizePayment: 'failed',
      scheduleShipment: 'pending',
      confirmOrder: 'pending',
    });
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'declined', reason: 'the card was declined' });
    expect((await client.shipment(orderId)).status).toBe(404);
  });

  it("rejects an order whose shipment shipping refuses (the customer's country), voids its payment and releases its stock", async () => {
    const sku = uniqueSku('abroad');
    await shop.addProduct(sku, 1500, 10);
    const orderId = await client.placeFor('US', [{ sku, quantity: 2 }], 'tok_ok');

    const order = await shop.settled(orderId);
    expect(order.status).toBe('rejected');
    expect(order.reason).toMatch(/^shipping to 'US' is not supported/);
    await client.released({ [sku]: 10 });
    const view = await client.sagaWhen(orderId, (saga) => saga.status === 'rolled-back', 'rolled back');
    expect(client.stepStatuses(view)).toMatchObject({
      reserveStock: 'compensated',
      authorizePayment: 'compensated',
      scheduleShipment: 'failed',
      confirmOrder: 'pending',
      capturePayment: 'pending',
    });
    // Authorized, then voided: the authorization is released, nothing captured.
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'voided', authorizationId: expect.stringMatching(/^auth_/), capturedCents: 0 });
    expect((await client.shipment(orderId)).body).toMatchObject({ status: 'refused', reason: order.reason });
  });

  it('rejects an order whose payment provider hangs past the deadline: the authorization is sent twice, then the saga compensates, and the authorization that lands late is voided', async () => {
    const sku = uniqueSku('hang');
    await shop.addProduct(sku, 700, 10);
    const orderId = await shop.place([{ sku, quantity: 1 }], undefined, 'tok_hang');

    const order = await shop.settled(orderId, 4 * HANG_MS);
    expect(order.status).toBe('rejected');
    expect(order.reason).toBe(`the AuthorizePayment of step authorizePayment got no reply within ${DEADLINE_MS} ms in 2 attempts`);
    await client.released({ [sku]: 10 });
    const rolledBack = await client.sagaWhen(orderId, (saga) => saga.status === 'rolled-back', 'rolled back');
    const [authorization] = rolledBack.steps.find((step) => step.name === 'authorizePayment')?.commands ?? [];
    expect(authorization).toMatchObject({ type: 'AuthorizePayment', attempt: 2, timeouts: 2 });
    expect(client.stepStatuses(rolledBack)).toMatchObject({ authorizePayment: 'compensated', scheduleShipment: 'pending' });

    // The provider answers once its hang is over: payments records the authorization, then
    // takes the saga's VoidPayment (queued behind it for the same order) and voids it.
    await shop.waitFor(async () => (await client.payment(orderId)).body?.status === 'voided', 'the late authorization voided', 4 * HANG_MS);
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'voided', authorizationId: expect.stringMatching(/^auth_/) });
    // Its answer reached the ended instance, which recorded it and did nothing.
    const after = await client.sagaWhen(
      orderId,
      (saga) => saga.ignoredReplies.some((reply) => reply.replyType === 'PaymentAuthorized'),
      'the late reply recorded',
    );
    expect(after.status).toBe('rolled-back');
    expect((await client.shipment(orderId)).status).toBe(404);
    expect((await shop.settled(orderId)).status).toBe('rejected');
  });

  it('keeps an order confirmed whose capture is declined for good, fails the instance with the reason, and lets an operator resolve it with a comment', async () => {
    const sku = uniqueSku('expired');
    await shop.addProduct(sku, 900, 10);
    const orderId = await shop.place([{ sku, quantity: 2 }], undefined, 'tok_capture_expired');

    const failed = await client.sagaWhen(orderId, (saga) => saga.status === 'failed', 'failed');
    expect(failed.failed).toMatchObject({
      step: 'capturePayment',
      kind: 'action',
      reason: expect.stringContaining('(PaymentCaptureFailed: the authorization expired)'),
    });
    expect(client.stepStatuses(failed)).toMatchObject({ confirmOrder: 'succeeded', capturePayment: 'failed' });
    expect((await shop.settled(orderId)).status).toBe('confirmed');
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'capture-failed', reason: 'the authorization expired' });
    await shop.stockMatching(sku, { available: 8, reserved: 2 });

    const { urls, tokens } = host().launched;
    const resolve = (token: string | undefined) =>
      fetch(`${urls.sagas}/v1/sagas/order-placement/${orderId}/resolve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ comment: 'the customer paid by bank transfer' }),
      });
    // An operator's action: nobody else may take it.
    expect([401, 403]).toContain((await resolve(tokens.customer)).status);
    const resolved = await resolve(tokens.operator);
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toMatchObject({ status: 'resolved' });
    // The audit: who resolved it (launch's operator token is the subject `operator`'s, in both modes) and how.
    const view = (await client.saga(orderId)).body;
    expect(view).toMatchObject({ status: 'resolved', version: 3 });
    expect(view?.operatorActions).toEqual([{ action: 'resolve', by: 'operator', reason: 'the customer paid by bank transfer', at: expect.any(String) }]);
    // Resolved is an end: a second resolve is refused, as problem+json.
    const again = await resolve(tokens.operator);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect((await shop.settled(orderId)).status).toBe('confirmed');
  });

  it('places one order and runs one saga for an OrderPlaced POSTed twice with one Idempotency-Key: reserved, authorized and captured once', async () => {
    const sku = uniqueSku('twice');
    await shop.addProduct(sku, 1100, 10);
    const key = randomUUID();

    const first = await shop.place([{ sku, quantity: 2 }], key, 'tok_ok');
    const again = await shop.placeOrder([{ sku, quantity: 2 }], key, 'tok_ok');
    expect(again.status).toBe(201);
    expect(((await again.json()) as { orderId: string }).orderId).toBe(first);

    expect((await shop.settled(first)).status).toBe('confirmed');
    const view = await client.sagaWhen(first, (saga) => saga.status === 'completed', 'completed');
    for (const step of view.steps.filter((each) => each.name !== 'order')) expect(step.commands).toHaveLength(1);
    expect((await client.payment(first)).body).toMatchObject({ status: 'captured', capturedCents: 2200 });
    await shop.stockMatching(sku, { available: 8, reserved: 2, reservations: [{ orderId: first, quantity: 2 }] });
  });
};
