import { reply, sagaSpec, started } from '@ordo/saga';
import { orderPlacementV1 } from './definition';
import { orderPlacementV2 } from './v2';
import {
  at,
  lines,
  order,
  orderId,
  cancelled,
  reserved,
  released,
  authorized,
  voided,
  scheduled,
  confirmed,
  release,
  voidPayment,
} from '../test/five-step-order';

// Version 2 when the order's owner cancels it: before the pivot the saga undoes what it did,
// as on a refusal, and the order ends cancelled; from the pivot on it goes on, and the
// cancellation saga undoes the order instead.
const spec = sagaSpec(orderPlacementV2);
const REASON = 'the order was cancelled: ordered the wrong size';

const shipmentCancelled = reply({ step: 'scheduleShipment', kind: 'compensation' }, 'ShipmentCancelled', { orderId, reason: REASON, wasScheduled: true, at });
// Orders answers the saga's RejectOrder on an order whose cancellation was asked with OrderCancelled.
const orderCancelled = reply({ step: 'order', kind: 'compensation' }, 'OrderCancelled', { orderId, reason: 'ordered the wrong size', at });

const cancelShipment = { target: 'shipping', type: 'CancelShipment', aggregateId: orderId, data: { orderId, reason: REASON } };
const reject = { target: 'orders', type: 'RejectOrder', aggregateId: orderId, data: { orderId, reason: REASON } };

const allReserved = [started(order), reserved('SKU-1'), reserved('SKU-2')];
const scheduling = [...allReserved, authorized];
// The shipment is scheduled, so the confirmation (the pivot) is sent.
const confirming = [...scheduling, scheduled];

describe('order placement v2: cancelled before the pivot', () => {
  it('releases what it reserved (a line unanswered too) and ends the order, when cancelled while reserving', () => {
    spec
      .given([started(order), reserved('SKU-1')])
      .when(cancelled)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([started(order), reserved('SKU-1'), cancelled, released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([reject]);
  });

  it('voids the payment it is authorizing, then releases the stock', () => {
    spec.given(allReserved).when(cancelled).thenIssues([voidPayment]);
    spec
      .given([...allReserved, cancelled])
      .when(voided)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
  });

  it('cancels the shipment it is scheduling, voids the payment, releases the stock, and rolls back once the order is cancelled', () => {
    spec.given(scheduling).when(cancelled).thenIssues([cancelShipment]);
    spec
      .given([...scheduling, cancelled])
      .when(shipmentCancelled)
      .thenIssues([voidPayment]);
    spec
      .given([...scheduling, cancelled])
      .when(scheduled)
      .thenIgnores('late');
    const undone = [...scheduling, cancelled, shipmentCancelled, voided, released('SKU-1'), released('SKU-2')];
    spec.given(undone.slice(0, -1)).when(released('SKU-2')).thenIssues([reject]);
    spec.given(undone).when(orderCancelled).thenRolledBack(REASON);
  });

  it('records a late answer to the command it was waiting for as late', () => {
    spec
      .given([...allReserved, cancelled])
      .when(authorized)
      .thenIgnores('late');
  });
});

describe('order placement v2: cancelled from the pivot on', () => {
  it('goes on once the confirmation was sent: orders confirms the order and the cancellation saga undoes it', () => {
    spec.given(confirming).when(cancelled).thenNothing();
    spec
      .given([...confirming, confirmed])
      .when(cancelled)
      .thenNothing();
  });

  it('decides nothing on a request delivered again', () => {
    spec
      .given([...allReserved, cancelled])
      .when(cancelled)
      .thenNothing();
  });
});

describe('order placement v1 and cancellation', () => {
  it('goes on: orders starts the cancellation saga once it confirms the order', () => {
    sagaSpec(orderPlacementV1)
      .given([started({ orderId, lines }), reserved('SKU-1')])
      .when(cancelled)
      .thenNothing();
  });
});
