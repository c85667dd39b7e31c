import { deciderSpec } from '@ordo/testing';
import { OrderAlreadyExists, OrderLinesRefused, OrderNotFound, OrderRuleBroken, pathOf, UnknownCustomer } from './errors';
import { orderDecider, type OrderCommand, type OrderEvent, type OrderLine, type RequestedLine } from './order';

const spec = deciderSpec(orderDecider);
const orderId = '5f0c3a52-7c1e-4c61-9d63-0d7f6c1a2b3c';
const now = '2025-03-01T10:00:00.000Z';
const later = '2025-03-01T10:05:00.000Z';
const lines: OrderLine[] = [
  { sku: 'SKU-1', quantity: 2, unitPriceCents: 1250 },
  { sku: 'SKU-2', quantity: 1, unitPriceCents: 999 },
];

const owner = 'customer-a';
/** The prices orders' price table holds: those of the lines, unless given. */
const pricesOf = (priced: OrderLine[]) => Object.fromEntries(priced.map((line) => [line.sku, line.unitPriceCents]));
const customerId = '0d4b8c1e-2f3a-4b5c-8d6e-7f8091a2b3c4';
const shipTo = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
/** Placed by `by`, for a customer `by` registered unless another owner is named. */
const place = (priced: OrderLine[] = lines, by = owner, { customerOwner = by, actsForAnyCustomer = false } = {}): OrderCommand => ({
  type: 'PlaceOrder',
  data: { orderId, owner: by, actsForAnyCustomer, customerId, lines: priced.map(({ sku, quantity }) => ({ sku, quantity })) },
  metadata: { now, prices: pricesOf(priced), customer: { address: shipTo, owner: customerOwner } },
});
const placeRequested = (requested: RequestedLine[], prices: Record<string, number> = pricesOf(lines)): OrderCommand => ({
  type: 'PlaceOrder',
  data: { orderId, owner, actsForAnyCustomer: false, customerId, lines: requested },
  metadata: { now, prices, customer: { address: shipTo, owner } },
});
/** What a refused PlaceOrder names, as `<path>: <message>`. */
const refusedLines = (command: OrderCommand) => {
  try {
    orderDecider.decide(command, orderDecider.initialState());
  } catch (error) {
    if (error instanceof OrderLinesRefused) return error.problems.map((problem) => `${pathOf(problem)}: ${problem.message}`);
    throw error;
  }
  throw new Error('the order was not refused');
};
const confirm: OrderCommand = { type: 'ConfirmOrder', data: { orderId }, metadata: { now: later } };
const reject = (reason = 'insufficient stock for SKU-1: 1 available, 2 requested'): OrderCommand => ({
  type: 'RejectOrder',
  data: { orderId, reason },
  metadata: { now: later },
});

const placed: OrderEvent = { type: 'OrderPlaced', data: { orderId, owner, customerId, shipTo, lines, totalCents: 3499, at: now } };
/** As recorded before orders recorded who placed them. */
const placedWithoutOwner: OrderEvent = { type: 'OrderPlaced', data: { orderId, lines, totalCents: 3499, at: now } };
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, at: later } };
const rejected: OrderEvent = { type: 'OrderRejected', data: { orderId, reason: 'out of stock', at: later } };
const dispatchedAt = '2025-03-02T09:00:00.000Z';
const markShipped = (shipmentId = 'shipment-1'): OrderCommand => ({ type: 'MarkShipped', data: { orderId, shipmentId }, metadata: { now: dispatchedAt } });
const shipped: OrderEvent = { type: 'OrderShipped', data: { orderId, shipmentId: 'shipment-1', at: dispatchedAt } };

describe('Order', () => {
  describe('PlaceOrder', () => {
    it('places a new order with its owner, its priced lines and their total', () => {
      spec.given([]).when(place()).then([placed]);
    });

    it('records an anonymous caller by its address as the owner', () => {
      spec
        .given([])
        .when(place(lines, 'address:127.0.0.2'))
        .then([{ type: 'OrderPlaced', data: { orderId, owner: 'address:127.0.0.2', customerId, shipTo, lines, totalCents: 3499, at: now } }]);
    });

    it('records the card token the caller gave, for the saga that authorizes the payment', () => {
      const withCard = place();
      if (withCard.type !== 'PlaceOrder') throw new Error('a PlaceOrder');
      spec
        .given([])
        .when({ ...withCard, data: { ...withCard.data, cardToken: 'tok_visa' } })
        .then([{ type: 'OrderPlaced', data: { ...placed.data, cardToken: 'tok_visa' } } as OrderEvent]);
    });

    it('needs the owner who places it', () => {
      spec.given([]).when(place(lines, '')).thenThrows(OrderRuleBroken, 'an order needs the owner who places it');
    });

    it('adds quantity times unit price over all lines', () => {
      const three = [...lines, { sku: 'SKU-3', quantity: 3, unitPriceCents: 0 }, { sku: 'SKU-4', quantity: 1000, unitPriceCents: 1 }];
      spec
        .given([])
        .when(place(three))
        .then([{ type: 'OrderPlaced', data: { orderId, owner, customerId, shipTo, lines: three, totalCents: 4499, at: now } }]);
    });

    it('places an order only for a customer customers knows, recording where it ships', () => {
      const unknown = place();
      if (unknown.type !== 'PlaceOrder') throw new Error('a PlaceOrder');
      spec
        .given([])
        .when({ ...unknown, metadata: { ...unknown.metadata, customer: undefined } })
        .thenThrows(UnknownCustomer, `customers knows no customer ${customerId}`);
    });

    it('refuses an order for a customer another caller registered, as it refuses an unknown customer', () => {
      spec
        .given([])
        .when(place(lines, owner, { customerOwner: 'customer-b' }))
        .thenThrows(UnknownCustomer, `customers knows no customer ${customerId}`);
      spec
        .given([])
        .when(place(lines, 'address:127.0.0.2', { customerOwner: 'address:127.0.0.1' }))
        .thenThrows(UnknownCustomer, `customers knows no customer ${customerId}`);
    });

    it('places an order for any customer when the caller acts for any customer, recording the caller as its owner', () => {
      spec
        .given([])
        .when(place(lines, 'ops', { customerOwner: owner, actsForAnyCustomer: true }))
        .then([{ type: 'OrderPlaced', data: { orderId, owner: 'ops', customerId, shipTo, lines, totalCents: 3499, at: now } }]);
    });

    it('places an order only once', () => {
      spec.given([placed]).when(place()).thenThrows(OrderAlreadyExists, `order ${orderId} already exists`);
      spec.given([placed, confirmed]).when(place()).thenThrows(OrderAlreadyExists);
    });

    it('names every line at fault at once: a repeated sku, a sku without a price', () => {
      const requested = [
        { sku: 'SKU-1', quantity: 2 },
        { sku: 'SKU-1', quantity: 1 },
        { sku: 'NOPE-1', quantity: 1 },
        { sku: 'SKU-2', quantity: 3 },
        { sku: 'NOPE-1', quantity: 1 },
      ];
      expect(refusedLines(placeRequested(requested, { 'SKU-1': 1250, 'SKU-2': 999 }))).toEqual([
        '/lines/1/sku: sku SKU-1 is already on an earlier line',
        '/lines/2/sku: unknown sku NOPE-1',
        '/lines/4/sku: sku NOPE-1 is already on an earlier line',
        '/lines/4/sku: unknown sku NOPE-1',
      ]);
    });

    it('prices a line only from the prices it is given, never from a prototype member', () => {
      expect(refusedLines(placeRequested([{ sku: 'constructor', quantity: 1 }], {}))).toEqual(['/lines/0/sku: unknown sku constructor']);
    });
  });

  describe('ConfirmOrder', () => {
    it('confirms a pending order', () => {
      spec.given([placed]).when(confirm).then([confirmed]);
    });

    it('answers nothing new for a confirmed order', () => {
      spec.given([placed, confirmed]).when(confirm).thenNothing();
    });

    it('refuses to confirm a rejected order', () => {
      spec.given([placed, rejected]).when(confirm).thenThrows(OrderRuleBroken, 'was rejected (out of stock)');
    });

    it('answers nothing new for a shipped order, which was confirmed', () => {
      spec.given([placed, confirmed, shipped]).when(confirm).thenNothing();
    });

    it('refuses an order that was never placed', () => {
      spec.given([]).when(confirm).thenThrows(OrderNotFound, `no order ${orderId}`);
    });
  });

  describe('RejectOrder', () => {
    it('rejects a pending order with its reason', () => {
      spec
        .given([placed])
        .when(reject())
        .then([{ type: 'OrderRejected', data: { orderId, reason: 'insufficient stock for SKU-1: 1 available, 2 requested', at: later } }]);
    });

    it('answers nothing new for a rejected order', () => {
      spec.given([placed, rejected]).when(reject('another reason')).thenNothing();
    });

    it('refuses to reject a confirmed order', () => {
      spec.given([placed, confirmed]).when(reject()).thenThrows(OrderRuleBroken, 'is confirmed');
    });

    it('refuses to reject a shipped order', () => {
      spec.given([placed, confirmed, shipped]).when(reject()).thenThrows(OrderRuleBroken, `order ${orderId} is shipped; it cannot be rejected`);
    });

    it('refuses an order that was never placed', () => {
      spec.given([]).when(reject()).thenThrows(OrderNotFound);
    });
  });

  describe('MarkShipped', () => {
    it('ships a confirmed order, naming its shipment', () => {
      spec.given([placed, confirmed]).when(markShipped()).then([shipped]);
    });

    it('answers nothing new for a shipped order, whichever shipment the repeat names', () => {
      spec.given([placed, confirmed, shipped]).when(markShipped()).thenNothing();
      spec.given([placed, confirmed, shipped]).when(markShipped('shipment-2')).thenNothing();
    });

    it('refuses to ship a pending order: only a confirmed order is shipped', () => {
      spec.given([placed]).when(markShipped()).thenThrows(OrderRuleBroken, `order ${orderId} is pending; only a confirmed order is shipped`);
    });

    it('refuses to ship a rejected order, saying why it was rejected', () => {
      spec.given([placed, rejected]).when(markShipped()).thenThrows(OrderRuleBroken, `order ${orderId} was rejected (out of stock); it cannot be shipped`);
    });

    it('refuses an order that was never placed', () => {
      spec.given([]).when(markShipped()).thenThrows(OrderNotFound, `no order ${orderId}`);
    });
  });

  describe('evolve', () => {
    const stateAfter = (events: OrderEvent[]) => events.reduce(orderDecider.evolve, orderDecider.initialState());

    it('follows the order from pending to its decision', () => {
      expect(stateAfter([])).toEqual({ status: 'absent' });
      expect(stateAfter([placed])).toEqual({ status: 'pending', orderId, owner, customerId, lines, totalCents: 3499, placedAt: now });
      expect(stateAfter([placed, confirmed])).toMatchObject({ status: 'confirmed', confirmedAt: later, totalCents: 3499 });
      expect(stateAfter([placed, rejected])).toMatchObject({ status: 'rejected', reason: 'out of stock', rejectedAt: later });
    });

    it('follows a confirmed order to shipped, keeping when it was confirmed', () => {
      expect(stateAfter([placed, confirmed, shipped])).toEqual({
        status: 'shipped',
        orderId,
        owner,
        customerId,
        lines,
        totalCents: 3499,
        placedAt: now,
        confirmedAt: later,
        shipmentId: 'shipment-1',
        shippedAt: dispatchedAt,
      });
    });

    it('ships only a confirmed order, and a shipped order stays shipped', () => {
      expect(stateAfter([placed, shipped])).toMatchObject({ status: 'pending' });
      expect(stateAfter([placed, rejected, shipped])).toMatchObject({ status: 'rejected' });
      expect(stateAfter([placed, confirmed, shipped, rejected])).toMatchObject({ status: 'shipped' });
      expect(stateAfter([placed, confirmed, shipped, { ...shipped, data: { ...shipped.data, shipmentId: 'shipment-2' } }])).toMatchObject({
        shipmentId: 'shipment-1',
        shippedAt: dispatchedAt,
      });
    });

    it('reads an order placed before owners were recorded as owned by nobody', () => {
      expect(stateAfter([placedWithoutOwner])).toEqual({ status: 'pending', orderId, lines, totalCents: 3499, placedAt: now });
      expect(stateAfter([placedWithoutOwner, confirmed])).not.toHaveProperty('owner');
    });

    it('keeps the first decision when a second one is read', () => {
      expect(stateAfter([placed, confirmed, rejected])).toMatchObject({ status: 'confirmed' });
    });
  });
});
