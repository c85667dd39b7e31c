import { randomUUID } from 'node:crypto';
import type { EventStore } from '@ordo/eventstore';
import { startTestHost, type TestHost } from '@ordo/host/testing';
import { inventoryEventSchemas } from '@ordo/inventory-contract';
import { orderPlacementServiceWith } from '@ordo/order-placement';
import { ordersEventSchemas } from '@ordo/orders-contract';
import { paymentsEventSchemas } from '@ordo/payments-contract';
import { readSagaFixtures, type SagaFixture, type SagaView } from '@ordo/saga';
import { sagaDashboardService } from '@ordo/saga-dashboard';
import { shippingEventSchemas } from '@ordo/shipping-contract';
import { eventually } from '@ordo/testing';
import path from 'node:path';

// The dashboard's operator actions on the real saga service: each instance is recorded in
// the saga service's own store (where its runner reads it) and in the stand-in saga store
// the dashboard projects, cut where the state under test begins. Each action in each state
// answers as the saga decides, and the saga records the operator who called the dashboard.

const TOKENS = new Map([
  ['operator-token', { subject: 'ops', roles: ['operator' as const] }],
  ['viewer-token', { subject: 'support', roles: ['viewer' as const] }],
]);
const FIXTURES = path.join(__dirname, '..', '..', '..', 'sagas', 'order-placement', 'fixtures', 'v3');
const fixture = (file: string): SagaFixture => {
  const found = readSagaFixtures(FIXTURES).find((each) => each.file === file);
  if (!found) throw new Error(`no recorded instance ${file}`);
  return found.fixture;
};
/** A recorded instance's events, up to and with the `count`th. */
const eventsOf = (recorded: SagaFixture, count = Infinity) => recorded.history.flatMap(({ decided }) => decided).slice(0, count);

/** Failed at capturing the payment, past the pivot (the order is confirmed). */
const failedPastPivot = fixture('capture-fails-retried.json');
/** Waiting for the payment's authorization, before the pivot. */
const waitingForPayment = fixture('payment-times-out.json');
const completed = fixture('completed.json');
const rolledBack = fixture('out-of-stock.json');

describe('the saga dashboard’s actions on the saga service', () => {
  let sagas: TestHost<'orders' | 'inventory' | 'payments' | 'shipping'>;
  let dashboard: TestHost<'sagas'>;

  const record = async (store: EventStore, instance: string, events: { type: string; data: unknown }[]) => {
    const metadata = { correlationId: `correlation-${instance}`, causationId: `cause-${instance}`, schemaVersion: 1 };
    await store.appendToStream(
      instance,
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
      { expectedRevision: 'no_stream' },
    );
  };

  beforeAll(async () => {
    sagas = await startTestHost({
      service: orderPlacementServiceWith({}),
      standIns: {
        orders: { registry: ordersEventSchemas },
        inventory: { registry: inventoryEventSchemas },
        payments: { registry: paymentsEventSchemas },
        shipping: { registry: shippingEventSchemas },
      },
      authTokens: TOKENS,
    });
    dashboard = await startTestHost({
      service: sagaDashboardService({ sagaService: 'sagas', deadLetterServices: ['saga-dashboard'] }),
      standIns: ['sagas'],
      authTokens: TOKENS,
      peers: { urls: { sagas: sagas.url } },
    });
    const cuts: [SagaFixture, number][] = [
      [failedPastPivot, eventsOf(failedPastPivot).findIndex((event) => event.type === 'SagaFailed') + 1],
      [waitingForPayment, eventsOf(waitingForPayment).findIndex((event) => event.type === 'StepTimedOut')],
      [completed, Infinity],
      [rolledBack, Infinity],
    ];
    for (const [recorded, count] of cuts) {
      await record(sagas.store, recorded.instance, eventsOf(recorded, count));
      await record(dashboard.standIns.sagas, recorded.instance, eventsOf(recorded, count));
    }
    await eventually(
      async () => {
        const response = await fetch(`${dashboard.url}/v1/saga-dashboard/instances`, { headers: { authorization: 'Bearer viewer-token' } });
        return ((await response.json()) as { items: unknown[] }).items.length === cuts.length;
      },
      'the dashboard holding every instance',
      { intervalMs: 200, timeoutMs: 30_000 },
    );
  });
  afterAll(async () => {
    await dashboard?.close();
    await sagas?.close();
  });

  const act = async (instance: string, action: string, reason: string, token = 'operator-token') => {
    const response = await fetch(`${dashboard.url}/v1/saga-dashboard/instances/${instance}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
    return { status: response.status, body: (await response.json()) as SagaView & { detail?: string } };
  };

  it('refuses to force compensation past the pivot, with the saga’s reason', async () => {
    const answer = await act(failedPastPivot.instance, 'compensate', 'undo it');
    expect(answer).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/past its pivot/) } });
  });

  it('retries a failed instance’s refused command, recording who and why', async () => {
    const answer = await act(failedPastPivot.instance, 'retry', 'the provider is back');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ sagaId: failedPastPivot.instance, status: 'running' });
    expect(answer.body.operatorActions).toEqual([{ action: 'retry', by: 'ops', reason: 'the provider is back', at: expect.any(String) }]);
    const capture = answer.body.steps.find((step) => step.name === 'capturePayment');
    expect(capture?.status).toBe('running');
  });

  it('resolves an instance with the operator’s comment, and refuses anything after it', async () => {
    const resolved = await act(failedPastPivot.instance, 'resolve', 'captured by hand in the provider’s console');
    expect(resolved).toMatchObject({ status: 200, body: { status: 'resolved' } });
    expect(resolved.body.operatorActions.at(-1)).toMatchObject({ action: 'resolve', by: 'ops', reason: 'captured by hand in the provider’s console' });
    const again = await act(failedPastPivot.instance, 'retry', 'once more');
    expect(again).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/is resolved/) } });
  });

  it('sends a waiting command again, one attempt more, then forces compensation before the pivot', async () => {
    const retried = await act(waitingForPayment.instance, 'retry', 'the provider hangs');
    expect(retried.status).toBe(200);
    const payment = retried.body.steps.find((step) => step.name === 'authorizePayment');
    expect(payment?.commands.at(-1)).toMatchObject({ kind: 'action', attempt: 2 });
    const compensated = await act(waitingForPayment.instance, 'compensate', 'the customer gave up');
    expect(compensated).toMatchObject({
      status: 200,
      body: { status: 'compensating', reason: expect.stringMatching(/compensation forced by ops: the customer gave up/) },
    });
  });

  it('refuses every action on an ended instance', async () => {
    for (const [instance, status] of [
      [completed.instance, 'completed'],
      [rolledBack.instance, 'rolled-back'],
    ] as const)
      for (const action of ['retry', 'compensate', 'resolve']) {
        const answer = await act(instance, action, 'why not');
        expect({ action, status: answer.status, detail: answer.body.detail }).toEqual({ action, status: 409, detail: `${instance} is ${status}` });
      }
  });

  it('refuses a viewer’s action before asking the saga service', async () => {
    expect((await act(completed.instance, 'retry', 'let me', 'viewer-token')).status).toBe(403);
  });
});
