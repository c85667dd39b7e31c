import { sagaSpec, started, trigger, UnhandledSagaFailure } from '@ordo/saga';
import {
  at,
  authorize,
  authorized,
  capture,
  captured,
  captureFailed,
  confirm,
  confirmed,
  declined,
  order,
  orderId,
  placedEvent,
  refused,
  reject,
  rejected,
  rejectedOrder,
  release,
  released,
  reserve,
  reserved,
  schedule,
  scheduled,
  shortOf,
  voided,
  voidPayment,
} from './conversation.fixtures';
import { orderPlacement } from './definition';

const spec = sagaSpec(orderPlacement);
const allReserved = [started(order), reserved('SKU-1', 2), reserved('SKU-2', 5), reserved('SKU-3', 1)];
const releasedAll = [released('SKU-1', 2), released('SKU-2', 5), released('SKU-3', 1)];
const releaseAll = [release('SKU-1'), release('SKU-2'), release('SKU-3')];
const shortOfSku2 = shortOf('SKU-2', 3, 5);

describe('order placement: the happy path', () => {
  it('reserves stock for each line when an order is placed', () => {
    const placed = trigger(
      'OrderPlaced',
      placedEvent({ lines: order.lines, totalCents: order.totalCents, payment: { cardToken: order.cardToken }, shipTo: order.shipTo }),
    );
    spec
      .given()
      .when(placed)
      .thenIssues([reserve('SKU-1', 2), reserve('SKU-2', 5), reserve('SKU-3', 1)]);
  });

  it('waits while lines are still being reserved', () =>
    spec
      .given([started(order), reserved('SKU-1', 2)])
      .when(reserved('SKU-3', 1))
      .thenWaits());

  it("authorizes the order's total on its card once every line is reserved", () =>
    spec.given(allReserved.slice(0, 3)).when(reserved('SKU-3', 1)).thenIssues([authorize()]));

  it('schedules the shipment of the lines to the order’s address once the payment is authorized', () =>
    spec.given(allReserved).when(authorized).thenIssues([schedule]));

  it('confirms the order once the shipment is scheduled', () =>
    spec
      .given([...allReserved, authorized])
      .when(scheduled)
      .thenIssues([confirm]));

  it('captures the payment once the order is confirmed, and completes when it is captured', () => {
    spec
      .given([...allReserved, authorized, scheduled])
      .when(confirmed)
      .thenIssues([capture]);
    spec
      .given([...allReserved, authorized, scheduled, confirmed])
      .when(captured)
      .thenCompleted();
  });
});

describe('order placement: a line cannot be reserved', () => {
  it('releases only the reserved lines', () =>
    spec
      .given([started(order), reserved('SKU-1', 2), reserved('SKU-3', 1)])
      .when(rejected('SKU-2', 3, 5))
      .thenIssues([release('SKU-1'), release('SKU-3')]));

  it('waits for the lines still pending before compensating', () => {
    spec
      .given([started(order), reserved('SKU-1', 2)])
      .when(rejected('SKU-2', 3, 5))
      .thenWaits();
    spec
      .given([started(order), reserved('SKU-1', 2), rejected('SKU-2', 3, 5)])
      .when(reserved('SKU-3', 1))
      .thenIssues([release('SKU-1'), release('SKU-3')]);
  });

  it('rejects the order, naming the sku, once the stock is released, and authorizes nothing', () => {
    const failed = [started(order), reserved('SKU-1', 2), reserved('SKU-3', 1), rejected('SKU-2', 3, 5)];
    spec
      .given([...failed, released('SKU-1', 2)])
      .when(released('SKU-3', 1))
      .thenIssues([reject(shortOfSku2)]);
    spec
      .given([...failed, released('SKU-1', 2), released('SKU-3', 1)])
      .when(rejectedOrder(shortOfSku2))
      .thenRolledBack(shortOfSku2);
  });

  it('rejects the order at once when no line was reserved', () => {
    const single = { ...order, lines: [{ sku: 'SKU-2', quantity: 5 }] };
    spec
      .given([started(single)])
      .when(rejected('SKU-2', 3, 5))
      .thenIssues([reject(shortOfSku2)]);
  });
});

describe('order placement: the payment is declined', () => {
  const declinedCard = 'the card was declined';

  it('releases every line, voiding nothing, since nothing was authorized', () => spec.given(allReserved).when(declined(declinedCard)).thenIssues(releaseAll));

  it('rejects the order with the decline reason once the stock is released', () => {
    const failed = [...allReserved, declined(declinedCard)];
    spec
      .given([...failed, ...releasedAll.slice(0, 2)])
      .when(released('SKU-3', 1))
      .thenIssues([reject(declinedCard)]);
    spec
      .given([...failed, ...releasedAll])
      .when(rejectedOrder(declinedCard))
      .thenRolledBack(declinedCard);
  });
});

describe('order placement: the shipment is refused', () => {
  const notServed = "shipping to 'ZZ' is not supported; shipping serves DE, NL";
  const failed = [...allReserved, authorized, refused(notServed)];

  it('voids the payment first, then releases the stock, then rejects the order with the refusal', () => {
    spec
      .given([...allReserved, authorized])
      .when(refused(notServed))
      .thenIssues([voidPayment]);
    spec.given(failed).when(voided).thenIssues(releaseAll);
    spec
      .given([...failed, voided, ...releasedAll.slice(0, 2)])
      .when(released('SKU-3', 1))
      .thenIssues([reject(notServed)]);
    spec
      .given([...failed, voided, ...releasedAll])
      .when(rejectedOrder(notServed))
      .thenRolledBack(notServed);
  });
});

describe('order placement: after the pivot', () => {
  it('compensates nothing when the capture fails: that needs an operator (the engine has no failed state yet)', () =>
    spec
      .given([...allReserved, authorized, scheduled, confirmed])
      .when(captureFailed('the authorization expired'))
      .thenThrows(UnhandledSagaFailure, /refused at or after the pivot \(PaymentCaptureFailed: the authorization expired\)/));
});

describe('order placement: an order placed before orders took payment', () => {
  // Its OrderPlaced has a total but no card token and no address.
  const legacy = trigger('OrderPlaced', placedEvent({ lines: order.lines, totalCents: order.totalCents }));
  const noCard = 'no card to charge: the order was placed without a card token';
  const reservedLegacy = [legacy, reserved('SKU-1', 2), reserved('SKU-2', 5), reserved('SKU-3', 1)];

  it('asks payments to authorize it without a card, and is declined: the stock is released and the order rejected with that reason', () => {
    spec
      .given(reservedLegacy.slice(0, 3))
      .when(reserved('SKU-3', 1))
      .thenIssues([authorize({})]);
    spec.given(reservedLegacy).when(declined(noCard)).thenIssues(releaseAll);
    spec
      .given([...reservedLegacy, declined(noCard), ...releasedAll])
      .when(rejectedOrder(noCard))
      .thenRolledBack(noCard);
  });
});

describe('order placement: repeated and stray replies', () => {
  it('ignores a repeated reservation', () =>
    spec
      .given([started(order), reserved('SKU-1', 2)])
      .when(reserved('SKU-1', 2))
      .thenNothing());

  it('ignores a repeated decline after compensation began', () =>
    spec
      .given([...allReserved, declined('insufficient funds')])
      .when(declined('insufficient funds'))
      .thenNothing());

  it('ignores a repeated capture after completion', () =>
    spec
      .given([...allReserved, authorized, scheduled, confirmed, captured])
      .when(captured)
      .thenNothing());

  it('ignores a second OrderPlaced for the same order', () =>
    spec
      .given([started(order)])
      .when(trigger('OrderPlaced', { orderId, lines: [{ sku: 'SKU-1', quantity: 1, unitPriceCents: 100 }], totalCents: 100, at }))
      .thenNothing());
});
