import { randomBytes, randomUUID } from 'node:crypto';
import { INVENTORY_EVENTS_TOPIC } from '@ordo/inventory-contract';
import { ORDERS_EVENTS_TOPIC } from '@ordo/orders-contract';
import { portOf } from '../src/shop';
import { FIVE_STEP_ENV, fiveStepClient, fiveStepScenarios, type FiveStepClient, type FiveStepShop, type SagaView } from './five-step-scenarios';
import type { LaunchedLocalShop } from './launch';
import { startLocalShop, throughGateway, type LocalShopOnItsBroker } from './local-shop';
import { redeploy, servicePid } from './local-services';
import { redeliver } from './redeliver';
import { uniqueSku } from './shop-client';
import { eventually } from '@ordo/testing';

// `npm run start:local` on order placement's default version, 3: a process per service on PostgreSQL
// and a broker of this file's own (the shop's topic and group names are fixed), with the
// deadlines and hanging card of FIVE_STEP_ENV. Beside the scenarios both modes share, what
// only a real bus and real processes show: an event and a reply delivered twice, and a new
// version of the saga service deployed while instances of the old one are in flight.
const BROKER_PORT = 19_412;

describe('the five-step scenarios in local mode', () => {
  const databasePrefix = `t_five_${randomBytes(3).toString('hex')}_`;
  // 20 ports apart: a shop takes its base port (the gateway) and the ten after it.
  const basePort = 24_000 + Math.floor(Math.random() * 150) * 20;
  let brokers: string[];
  let shop: LaunchedLocalShop;
  let host: FiveStepShop;
  let client: FiveStepClient;

  let local: LocalShopOnItsBroker;

  beforeAll(async () => {
    local = await startLocalShop({ brokerPort: BROKER_PORT, databasePrefix, basePort, env: FIVE_STEP_ENV });
    ({ shop, brokers } = local);
    const url = (name: string) => `http://127.0.0.1:${portOf(name, basePort)}`;
    host = { launched: shop, payments: url('payments'), shipping: url('shipping') };
    client = fiveStepClient(host);
  }, 300_000);
  afterAll(() => local?.stop(), 120_000);

  fiveStepScenarios(() => host);

  describe('through the gateway, every call on one port', () => {
    const viaGateway = (): FiveStepShop => ({
      launched: throughGateway(shop),
      payments: shop.gateway,
      shipping: shop.gateway,
    });
    fiveStepScenarios(viaGateway);

    it("shows each order's instance in the saga dashboard's API, through the gateway, in the state the saga service gives it", async () => {
      const gateway = fiveStepClient(viaGateway());
      const sku = uniqueSku('dashboard-gw');
      await gateway.shop.addProduct(sku, 900, 10);
      const confirmed = await gateway.shop.place([{ sku, quantity: 1 }], undefined, 'tok_ok');
      const declined = await gateway.shop.place([{ sku, quantity: 1 }], undefined, 'tok_decline');
      await gateway.sagaWhen(confirmed, (saga) => saga.status === 'completed', 'completed');
      await gateway.sagaWhen(declined, (saga) => saga.status === 'rolled-back', 'rolled back');
      const stateOf = async (orderId: string) => {
        const response = await fetch(`${shop.gateway}/v1/saga-dashboard/instances/orderPlacement-${orderId}`, {
          headers: { authorization: `Bearer ${shop.tokens.operator}` },
        });
        return response.ok ? ((await response.json()) as { summary: { state: string } }).summary.state : `HTTP ${response.status}`;
      };
      let seen: string[] = [];
      await eventually(async () => {
        seen = [await stateOf(confirmed), await stateOf(declined)];
        return seen[0] === 'completed' && seen[1] === 'rolled-back';
      }, "the dashboard's states").catch((error: unknown) => {
        throw new Error(`${String(error)}; last seen: ${seen.join(', ')}`);
      });
    });
  });

  // Compared by what the instance decided, not by its revision: on a busy machine a sending
  // resent after its 2 s deadline may have its second answer recorded at any time.
  const decisions = (view: SagaView | undefined) => ({ version: view?.version, status: view?.status, steps: view?.steps });

  it('does nothing more for an OrderPlaced delivered twice on the bus: no second instance, no command sent again', async () => {
    const sku = uniqueSku('bus-twice');
    await client.shop.addProduct(sku, 800, 10);
    const orderId = await client.shop.place([{ sku, quantity: 1 }], undefined, 'tok_ok');
    const before = await client.sagaWhen(orderId, (saga) => saga.status === 'completed', 'completed');

    const copy = await redeliver({
      brokers,
      topic: ORDERS_EVENTS_TOPIC,
      groupId: 'order-placement',
      matches: (event) => event.type === 'OrderPlaced' && event.data.orderId === orderId,
    });

    const after = (await client.saga(orderId)).body;
    expect(decisions(after)).toEqual(decisions(before));
    expect(after?.ignoredReplies.map((reply) => reply.replyId)).not.toContain(copy.id);
    await client.shop.stockMatching(sku, { available: 9, reserved: 1, reservations: [{ orderId, quantity: 1 }] });
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'captured', capturedCents: 800 });
  });

  it('records nothing for a reply delivered twice, and a second answer to a command answered already as a duplicate: each acted on once', async () => {
    const sku = uniqueSku('reply-twice');
    await client.shop.addProduct(sku, 600, 10);
    const orderId = await client.shop.place([{ sku, quantity: 2 }], undefined, 'tok_ok');
    const completed = await client.sagaWhen(orderId, (saga) => saga.status === 'completed', 'completed');
    const reservation = { brokers, topic: INVENTORY_EVENTS_TOPIC, groupId: 'order-placement' };
    const isReservation = (event: { type: string; data: Record<string, unknown> }) => event.type === 'StockReserved' && event.data.orderId === orderId;

    // The same event again (Kafka's at-least-once): the instance has recorded its id, and records nothing.
    const again = await redeliver({ ...reservation, matches: isReservation });
    const afterAgain = (await client.saga(orderId)).body;
    expect(decisions(afterAgain)).toEqual(decisions(completed));
    expect(afterAgain?.ignoredReplies.map((reply) => reply.replyId)).not.toContain(again.id);

    // Another answer to the same command (a participant answering twice): recorded as a duplicate, and nothing more.
    const second = await redeliver({ ...reservation, matches: isReservation, rewrite: (event) => ({ ...event, id: randomUUID() }) });
    const after = (await client.saga(orderId)).body;
    expect(after?.ignoredReplies.filter((reply) => reply.replyId === second.id)).toEqual([
      expect.objectContaining({ replyType: 'StockReserved', why: 'duplicate' }),
    ]);
    expect(decisions(after)).toEqual(decisions(completed));
    await client.shop.stockMatching(sku, { available: 8, reserved: 2, reservations: [{ orderId, quantity: 2 }] });
    expect((await client.payment(orderId)).body).toMatchObject({ status: 'captured', capturedCents: 1200 });
  });

  // Last: it leaves the shop unsupervised (redeploy stops the supervisor) and on version 3 with 30 s deadlines.
  it('finishes 50 instances in flight on version 1 after the saga service is deployed again on version 3, on which new orders start', async () => {
    const sku = uniqueSku('deploy');
    await client.shop.addProduct(sku, 300, 1_000);
    const sagasUrl = shop.urls.sagas;
    // Version 1, with the definition's own 30 s deadlines: inventory is paused for less than that.
    await redeploy(shop, 'sagas', sagasUrl, { ORDO_ORDER_PLACEMENT_VERSION: '1', ORDO_ORDER_PLACEMENT_DEADLINE_MS: undefined });

    const inventory = servicePid(shop, 'inventory');
    process.kill(inventory, 'SIGSTOP');
    let old: string[] = [];
    try {
      old = await Promise.all(Array.from({ length: 50 }, () => client.shop.place([{ sku, quantity: 1 }], undefined, 'tok_ok')));
      // In flight: started on version 1, waiting on the reservation inventory does not answer.
      for (const orderId of old) await client.sagaWhen(orderId, (saga) => saga.version === 1 && saga.status === 'running', 'running on version 1');
      await redeploy(shop, 'sagas', sagasUrl, { ORDO_ORDER_PLACEMENT_VERSION: '3' });
      for (const orderId of old) expect((await client.shop.order(orderId)).status).toBe('pending');
    } finally {
      process.kill(inventory, 'SIGCONT');
    }
    const fresh = await Promise.all(Array.from({ length: 10 }, () => client.shop.place([{ sku, quantity: 1 }], undefined, 'tok_ok')));

    for (const orderId of [...old, ...fresh]) expect((await client.shop.settled(orderId, 120_000)).status).toBe('confirmed');
    for (const orderId of old) {
      const view = await client.sagaWhen(orderId, (saga) => saga.status === 'completed', 'completed');
      expect({ orderId, version: view.version, steps: view.steps.map((step) => step.name) }).toEqual({
        orderId,
        version: 1,
        steps: ['order', 'reserveStock', 'confirmOrder'],
      });
      expect((await client.payment(orderId)).status).toBe(404);
    }
    for (const orderId of fresh) {
      const view = await client.sagaWhen(orderId, (saga) => saga.status === 'completed', 'completed');
      expect({ orderId, version: view.version }).toEqual({ orderId, version: 3 });
      expect((await client.payment(orderId)).body).toMatchObject({ status: 'captured', capturedCents: 300 });
    }
    await client.shop.stockMatching(sku, { available: 1_000 - 60, reserved: 60 });
  }, 300_000);
});
