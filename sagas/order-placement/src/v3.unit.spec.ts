import { elapse, operator, reply, sagaSpec, started, type SagaEvent, type Stimulus } from '@ordo/saga';
import type { OrderPlacementData } from './first-steps';
import { orderPlacementV2 } from './v2';
import { NO_TOTAL, orderPlacementV3 } from './v3';
import {
  at,
  lines,
  order,
  orderId,
  shipTo,
  reserved,
  released,
  authorized,
  declined,
  voided,
  scheduled,
  refused,
  confirmed,
  captured,
  captureFailed,
  orderRejected,
  cancelled,
  release,
  schedule,
  cancelShipment,
  confirm,
  reject,
} from '../test/five-step-order';

// Version 3: version 2's five steps, but a free order (a total of 0) is confirmed without a
// payment, and an order with a total goes exactly as on version 2.
const spec = sagaSpec(orderPlacementV3);
const free: OrderPlacementData = { ...order, totalCents: 0 };
const freeWithoutCard: OrderPlacementData = { orderId, lines, totalCents: 0, shipTo };

// ---- replies, as inventory, payments, shipping and orders record them ----
const shipmentCancelled = (reason: string) =>
  reply({ step: 'scheduleShipment', kind: 'compensation' }, 'ShipmentCancelled', { orderId, reason, wasScheduled: true, at });

// ---- commands, as the participants receive them ----

const reservedBoth = [reserved('SKU-1'), reserved('SKU-2')];
const REFUSED = 'shipping does not serve AQ';

describe('order placement v3: a free order', () => {
  it('goes from the reservations to the shipment: there is nothing to authorize, card token or not', () => {
    for (const data of [free, freeWithoutCard])
      spec
        .given([started(data), reserved('SKU-1')])
        .when(reserved('SKU-2'))
        .thenIssues([schedule]);
  });

  it('is confirmed once the shipment is scheduled, and completes on its confirmation: nothing to capture', () => {
    spec
      .given([started(free), ...reservedBoth])
      .when(scheduled)
      .thenIssues([confirm]);
    spec
      .given([started(free), ...reservedBoth, scheduled])
      .when(confirmed)
      .thenCompleted();
  });

  it('is rolled back without a VoidPayment: the shipment refused, the stock released, the order rejected', () => {
    spec
      .given([started(free), ...reservedBoth])
      .when(refused)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([started(free), ...reservedBoth, refused, released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([reject(REFUSED)]);
  });

  it('cancelled while its shipment is scheduled, cancels the shipment and releases the stock, voiding nothing', () => {
    const reason = 'the order was cancelled: ordered the wrong size';
    spec
      .given([started(free), ...reservedBoth])
      .when(cancelled)
      .thenIssues([cancelShipment(reason)]);
    spec
      .given([started(free), ...reservedBoth, cancelled])
      .when(shipmentCancelled(reason))
      .thenIssues([release('SKU-1'), release('SKU-2')]);
  });
});

describe('order placement v3: an order without a total', () => {
  it('is rejected once its stock is reserved, with a reason of its own: it is not free, and there is no amount to authorize', () => {
    const untotalled: OrderPlacementData = { orderId, lines, shipTo, cardToken: 'tok_visa' };
    spec
      .given([started(untotalled), reserved('SKU-1')])
      .when(reserved('SKU-2'))
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([started(untotalled), ...reservedBoth, released('SKU-1'), released('SKU-2')])
      .when(orderRejected(NO_TOTAL))
      .thenRolledBack(NO_TOTAL);
  });
});

describe('order placement v3: an order with a total goes as on version 2', () => {
  const v2 = sagaSpec(orderPlacementV2);
  // What a version decides, its version number aside (SagaStarted records it).
  const decided = (events: SagaEvent<OrderPlacementData>[]) =>
    events.map((event) => (event.type === 'SagaStarted' ? { ...event, data: { ...event.data, version: 'any' } } : event));
  const conversations: [string, Stimulus<OrderPlacementData>[]][] = [
    ['completed', [...reservedBoth, authorized, scheduled, confirmed, captured]],
    ['payment declined', [...reservedBoth, declined, released('SKU-1'), released('SKU-2'), orderRejected('card declined')]],
    ['shipment refused', [...reservedBoth, authorized, refused, voided, released('SKU-1'), released('SKU-2'), orderRejected(REFUSED)]],
    ['authorization unanswered', [...reservedBoth, elapse(30_000), elapse(1_000), elapse(30_000), voided]],
    ['cancelled while scheduling', [...reservedBoth, authorized, cancelled]],
    ['capture refused, then retried', [...reservedBoth, authorized, scheduled, confirmed, captureFailed, operator('retry', 'ops', 'renewed'), captured]],
  ];

  it.each(conversations)('%s: the same decisions, input by input', (_name, stimuli) => {
    const history: Stimulus<OrderPlacementData>[] = [];
    for (const stimulus of [started(order), ...stimuli]) {
      const onV3 = decided(spec.given(history).when(stimulus).events());
      expect(onV3.length).toBeGreaterThan(0);
      expect(onV3).toEqual(decided(v2.given(history).when(stimulus).events()));
      history.push(stimulus);
    }
  });

  it('records version 3 in SagaStarted', () => {
    const [startedEvent] = spec.given().when(started(order)).events();
    expect(startedEvent?.data).toMatchObject({ version: 3, data: order });
  });
});
