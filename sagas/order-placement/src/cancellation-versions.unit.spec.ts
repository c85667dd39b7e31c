import { commandIdFor, elapse, sagaSpec, started, type Stimulus } from '@ordo/saga';
import { orderCancellationV1, orderCancellationV2, type OrderCancellationData } from './cancellation';
import { orderId, cancellation, shipmentCancelled, DISPATCHED, cancellationRefused, cancelShipment, release } from '../test/cancelled-order';

// How long each version of order cancellation waits for shipping to answer its CancelShipment:
// version 1 sends it twice and then refuses the cancellation; version 2 sends it until shipping
// answers, since the shipment may yet be cancelled, and only a definite refusal refuses it.
const DEADLINE_MS = 30_000;

const refuse = (why: string) => ({ target: 'orders', type: 'RefuseCancellation', aggregateId: orderId, data: { orderId, reason: why } });

describe('order cancellation version 2: the shipment’s cancellation is waited for', () => {
  const spec = sagaSpec(orderCancellationV2);
  // The wait after each timeout doubles from 1 s and stops at 30 s.
  const backoffs = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
  /** The CancelShipment timed out and was sent again once per backoff: ten sendings, the same command id. */
  const unanswered: Stimulus<OrderCancellationData>[] = [started(cancellation)];
  for (const backoff of backoffs) unanswered.push(elapse(DEADLINE_MS), elapse(backoff));

  it('sends an unanswered CancelShipment again with the same id after each deadline, the wait growing to its cap', () => {
    const history: Stimulus<OrderCancellationData>[] = [started(cancellation)];
    const commandId = commandIdFor(`orderCancellation-${orderId}`, 'cancelShipment', undefined, 'action');
    backoffs.forEach((backoff, index) => {
      spec.given(history).when(elapse(DEADLINE_MS)).thenRecords(['StepTimedOut', 'RetryScheduled']);
      history.push(elapse(DEADLINE_MS));
      spec
        .given(history)
        .when(elapse(backoff - 1))
        .thenNothing();
      const again = spec.given(history).when(elapse(backoff)).events();
      expect(again).toEqual([
        expect.objectContaining({
          type: 'CommandIssued',
          data: expect.objectContaining({ attempt: index + 2, command: expect.objectContaining({ commandId }) }),
        }),
      ]);
      spec.given(history).when(elapse(backoff)).thenIssues([cancelShipment]);
      history.push(elapse(backoff));
    });
    expect(spec.given(history).state()).toMatchObject({ status: 'running' });
  });

  it('goes on to release the stock once shipping cancels the shipment at last', () =>
    spec
      .given(unanswered)
      .when(shipmentCancelled)
      .thenIssues([release('SKU-1'), release('SKU-2')]));

  it('refuses the cancellation when shipping answers at last that the parcel left', () =>
    spec
      .given(unanswered)
      .when(cancellationRefused)
      .thenIssues([refuse(DISPATCHED)]));

  it('records no attempt limit anywhere: the events hold whole numbers only', () => {
    const events = spec.given(unanswered).when(shipmentCancelled).events();
    expect(JSON.stringify(events)).not.toMatch(/Infinity|null/);
  });
});

describe('order cancellation version 1, kept while its instances finish: two sendings, then refused', () => {
  const spec = sagaSpec(orderCancellationV1);
  const sentTwice = [started(cancellation), elapse(DEADLINE_MS), elapse(1_000)];

  it('refuses the cancellation with the timeout as its reason once the second sending times out', () =>
    spec
      .given(sentTwice)
      .when(elapse(DEADLINE_MS))
      .thenIssues([refuse('the CancelShipment of step cancelShipment got no reply within 30000 ms in 2 attempts')]));
});
