import { elapse, operator, reply, sagaSpec, started, trigger } from '@ordo/saga';
import { NO_ADDRESS, NO_CARD_TOKEN, NOTHING_TO_PAY, orderPlacementV2 } from './v2';
import type { OrderPlacementData } from './first-steps';
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
  release,
  voidPayment,
  schedule,
  cancelShipment,
  confirm,
  reject,
} from '../test/five-step-order';

// Version 2, the five-step flow, one conversation a test: reserve -> authorize -> schedule ->
// confirm (the pivot) -> capture, and what each refusal, silence and stray reply leads to.
const spec = sagaSpec(orderPlacementV2);

// ---- replies, as inventory, payments, shipping and orders record them ----
const shortOf = (sku: string) =>
  reply({ step: 'reserveStock', line: sku }, 'StockReservationRejected', {
    sku,
    orderId,
    quantity: 1,
    available: 0,
    reason: `insufficient stock for ${sku}`,
    at,
  });

// ---- commands, as the participants receive them ----
const reserve = (sku: string, quantity: number) => ({ target: 'inventory', type: 'ReserveStock', aggregateId: sku, data: { sku, orderId, quantity } });
const authorize = { target: 'payments', type: 'AuthorizePayment', aggregateId: orderId, data: { orderId, amountCents: 4499, cardToken: 'tok_visa' } };
const capture = { target: 'payments', type: 'CapturePayment', aggregateId: orderId, data: { orderId } };

const allReserved = [started(order), reserved('SKU-1'), reserved('SKU-2')];
const shipmentScheduled = [...allReserved, authorized, scheduled];
const confirmedOrder = [...shipmentScheduled, confirmed];

describe('order placement v2: the happy path', () => {
  it('reserves stock for each line when an order is placed with a card token', () => {
    const placed = trigger('OrderPlaced', {
      orderId,
      customerId: '0d4b8c1e-2f3a-4b5c-8d6e-7f8091a2b3c4',
      shipTo,
      cardToken: 'tok_visa',
      lines: lines.map((line) => ({ ...line, unitPriceCents: 1500 })),
      totalCents: 4499,
      at,
    });
    spec
      .given()
      .when(placed)
      .thenIssues([reserve('SKU-1', 2), reserve('SKU-2', 1)]);
    const [started] = spec.given().when(placed).events();
    expect(started?.data).toMatchObject({ version: 2, data: order });
  });

  it('authorizes the order total with the card token once every line is reserved', () =>
    spec
      .given([started(order), reserved('SKU-1')])
      .when(reserved('SKU-2'))
      .thenIssues([authorize]));

  it('schedules the shipment to the order’s address once the payment is authorized', () => spec.given(allReserved).when(authorized).thenIssues([schedule]));

  it('confirms the order (the pivot) once the shipment is scheduled', () =>
    spec
      .given([...allReserved, authorized])
      .when(scheduled)
      .thenIssues([confirm]));

  it('captures the payment once the order is confirmed, and completes when it is captured', () => {
    spec.given(shipmentScheduled).when(confirmed).thenIssues([capture]);
    spec.given(confirmedOrder).when(captured).thenCompleted();
  });
});

describe('order placement v2: refused before the pivot', () => {
  it('out of stock: releases the reserved line and rejects the order, asking payments nothing', () => {
    spec
      .given([started(order), reserved('SKU-1')])
      .when(shortOf('SKU-2'))
      .thenIssues([release('SKU-1')]);
    spec
      .given([started(order), reserved('SKU-1'), shortOf('SKU-2')])
      .when(released('SKU-1'))
      .thenIssues([reject('insufficient stock for SKU-2')]);
  });

  it('payment declined: releases every line, then rejects the order with the decline’s reason', () => {
    spec
      .given(allReserved)
      .when(declined)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([...allReserved, declined, released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([reject('card declined')]);
    spec
      .given([...allReserved, declined, released('SKU-1'), released('SKU-2')])
      .when(orderRejected('card declined'))
      .thenRolledBack('card declined');
  });

  it('shipment refused: voids the payment, then releases the stock, then rejects the order', () => {
    const reason = 'shipping does not serve AQ';
    spec
      .given([...allReserved, authorized])
      .when(refused)
      .thenIssues([voidPayment]);
    spec
      .given([...allReserved, authorized, refused])
      .when(voided)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([...allReserved, authorized, refused, voided, released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([reject(reason)]);
    spec
      .given([...allReserved, authorized, refused, voided, released('SKU-1'), released('SKU-2')])
      .when(orderRejected(reason))
      .thenRolledBack(reason);
  });

  it('a payment provider that hangs: the authorization is sent again once, then voided (it may have taken effect) and the order rejected', () => {
    const hung = [...allReserved, elapse(30_000), elapse(1_000)];
    spec.given(allReserved).when(elapse(30_000)).thenRecords(['StepTimedOut', 'RetryScheduled']);
    spec
      .given([...allReserved, elapse(30_000)])
      .when(elapse(1_000))
      .thenIssues([authorize]);
    spec.given(hung).when(elapse(30_000)).thenIssues([voidPayment]);
    const reason = 'the AuthorizePayment of step authorizePayment got no reply within 30000 ms in 2 attempts';
    spec
      .given([...hung, elapse(30_000)])
      .when(voided)
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([...hung, elapse(30_000), voided, released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([reject(reason)]);
  });

  it('a shipment nobody schedules in time is cancelled with the reason first (it may have been scheduled)', () => {
    const reason = 'the ScheduleShipment of step scheduleShipment got no reply within 30000 ms in 2 attempts';
    const silent = [...allReserved, authorized, elapse(30_000), elapse(1_000)];
    spec
      .given(silent)
      .when(elapse(30_000))
      .thenIssues([cancelShipment(reason)]);
  });
});

describe('order placement v2: an order it cannot pay or ship', () => {
  it('rejects an order without a card token once its stock is reserved: sends no AuthorizePayment, releases the stock', () => {
    const noCard: OrderPlacementData = { orderId, lines, totalCents: 4499, shipTo };
    spec
      .given([started(noCard), reserved('SKU-1')])
      .when(reserved('SKU-2'))
      .thenRecords(['ReplyReceived', 'SagaCompensating', 'CommandIssued', 'CommandIssued']);
    spec
      .given([started(noCard), reserved('SKU-1')])
      .when(reserved('SKU-2'))
      .thenIssues([release('SKU-1'), release('SKU-2')]);
    spec
      .given([started(noCard), reserved('SKU-1'), reserved('SKU-2'), released('SKU-1')])
      .when(released('SKU-2'))
      .thenIssues([reject(NO_CARD_TOKEN)]);
    spec
      .given([started(noCard), reserved('SKU-1'), reserved('SKU-2'), released('SKU-1'), released('SKU-2')])
      .when(orderRejected(NO_CARD_TOKEN))
      .thenRolledBack(NO_CARD_TOKEN);
  });

  it('rejects a free order: payments authorizes no amount of 0', () =>
    spec
      .given([started({ ...order, totalCents: 0 }), reserved('SKU-1'), reserved('SKU-2'), released('SKU-1'), released('SKU-2')])
      .when(orderRejected(NOTHING_TO_PAY))
      .thenRolledBack(NOTHING_TO_PAY));

  it('rejects an order without an address once the payment is authorized: voids it, releases the stock', () => {
    const noAddress: OrderPlacementData = { orderId, lines, totalCents: 4499, cardToken: 'tok_visa' };
    spec
      .given([started(noAddress), reserved('SKU-1'), reserved('SKU-2')])
      .when(authorized)
      .thenIssues([voidPayment]);
    spec
      .given([started(noAddress), reserved('SKU-1'), reserved('SKU-2'), authorized, voided, released('SKU-1'), released('SKU-2')])
      .when(orderRejected(NO_ADDRESS))
      .thenRolledBack(NO_ADDRESS);
  });
});

describe('order placement v2: after the pivot nothing is undone', () => {
  it('sends an unanswered confirmation and capture again with the same id until answered, never compensating', () => {
    spec
      .given([...shipmentScheduled, elapse(30_000), elapse(30_000), elapse(30_000)])
      .when(elapse(60_000))
      .thenIssues([confirm]);
    spec
      .given([...confirmedOrder, elapse(30_000)])
      .when(elapse(1_000))
      .thenIssues([capture]);
    spec
      .given([...confirmedOrder, elapse(30_000), elapse(1_000), elapse(30_000), elapse(2_000)])
      .when(captured)
      .thenCompleted();
  });

  it('a capture declined for good leaves the instance failed with its reason; an operator resolves it', () => {
    spec
      .given(confirmedOrder)
      .when(captureFailed)
      .thenFailed(/CapturePayment of step capturePayment.*PaymentCaptureFailed: the authorization expired/);
    spec
      .given([...confirmedOrder, captureFailed])
      .when(operator('compensate', 'ops@example.com', 'refund by hand'))
      .thenThrows(Error, /past its pivot/);
    spec
      .given([...confirmedOrder, captureFailed])
      .when(operator('resolve', 'ops@example.com', 'captured by hand at the provider'))
      .thenRecords(['SagaResolved']);
  });

  it('an operator retries a declined capture in a new round (a new command id)', () => {
    const retried = spec
      .given([...confirmedOrder, captureFailed])
      .when(operator('retry', 'ops@example.com', 'the provider fixed the authorization'))
      .events();
    expect(retried.map((event) => event.type)).toEqual(['OperatorRetried', 'CommandIssued']);
    expect(retried[1]).toMatchObject({ type: 'CommandIssued', data: { step: 'capturePayment', round: 1, command: { type: 'CapturePayment' } } });
  });
});

describe('order placement v2: late and repeated replies are recorded, never acted on', () => {
  it('records a second answer to the authorization as a duplicate, and its redelivery not at all', () => {
    spec
      .given([...allReserved, authorized])
      .when(declined)
      .thenIgnores('duplicate');
    spec
      .given([...allReserved, authorized])
      .when(authorized)
      .thenNothing();
  });

  it('records an authorization that comes after its deadline undid it as late', () =>
    spec
      .given([...allReserved, elapse(30_000), elapse(1_000), elapse(30_000)])
      .when(authorized)
      .thenIgnores('late'));

  it('records a capture answered after an operator resolved the instance as late', () =>
    spec
      .given([...confirmedOrder, operator('resolve', 'ops@example.com', 'settled by hand')])
      .when(captured)
      .thenIgnores('late'));
});
