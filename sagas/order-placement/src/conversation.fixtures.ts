// One order's conversation with the saga's participants, for the definitions' specs: the
// replies as each context records them, and the commands as each receives them.
import { reply } from '@ordo/saga';
import type { OrderPlacementData } from './order-placed';

export const orderId = '6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c';
export const at = '2030-01-01T00:00:00.000Z';
const lines = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 5 },
  { sku: 'SKU-3', quantity: 1 },
];
const totalCents = 2 * 500 + 5 * 200 + 1 * 900;
const shipTo = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const cardToken = 'tok_ok';

/** Placed with a card token and an address, as orders records an order today. */
export const order: Required<OrderPlacementData> = { orderId, lines, totalCents, cardToken, shipTo };
/** The OrderPlaced that starts it, lines priced. */
export const placedEvent = (data: { lines: OrderPlacementData['lines']; totalCents: number; payment?: { cardToken: string }; shipTo?: object }) => ({
  orderId,
  ...data,
  lines: data.lines.map((line) => ({ ...line, unitPriceCents: 100 })),
  at,
});

// ---- replies ----
export const reserved = (sku: string, quantity: number) => reply({ step: 'reserveStock', line: sku }, 'StockReserved', { sku, orderId, quantity, at });
export const shortOf = (sku: string, available: number, requested: number) => `insufficient stock for ${sku}: ${available} available, ${requested} requested`;
export const rejected = (sku: string, available: number, requested: number) =>
  reply({ step: 'reserveStock', line: sku }, 'StockReservationRejected', {
    sku,
    orderId,
    quantity: requested,
    available,
    reason: shortOf(sku, available, requested),
    at,
  });
export const released = (sku: string, quantity: number) =>
  reply({ step: 'reserveStock', line: sku, kind: 'compensation' }, 'StockReleased', { sku, orderId, quantity, at });
export const authorized = reply({ step: 'authorizePayment' }, 'PaymentAuthorized', {
  orderId,
  authorizationId: 'auth-1',
  amountCents: totalCents,
  currency: 'EUR',
  at,
});
export const declined = (reason: string) =>
  reply({ step: 'authorizePayment' }, 'PaymentDeclined', { orderId, amountCents: totalCents, currency: 'EUR', reason, at });
export const voided = reply({ step: 'authorizePayment', kind: 'compensation' }, 'PaymentVoided', {
  orderId,
  authorizationId: 'auth-1',
  amountCents: totalCents,
  at,
});
export const scheduled = reply({ step: 'scheduleShipment' }, 'ShipmentScheduled', { orderId, shipmentId: 'shp-1', address: shipTo, lines, at });
export const refused = (reason: string) => reply({ step: 'scheduleShipment' }, 'ShipmentRefused', { orderId, reason, at });
export const confirmed = reply({ step: 'confirmOrder' }, 'OrderConfirmed', { orderId, at });
export const captured = reply({ step: 'capturePayment' }, 'PaymentCaptured', {
  orderId,
  authorizationId: 'auth-1',
  captureId: 'cap-1',
  amountCents: totalCents,
  at,
});
export const captureFailed = (reason: string) => reply({ step: 'capturePayment' }, 'PaymentCaptureFailed', { orderId, reason, at });
export const rejectedOrder = (reason: string) => reply({ step: 'order', kind: 'compensation' }, 'OrderRejected', { orderId, reason, at });

// ---- commands ----
export const reserve = (sku: string, quantity: number) => ({ target: 'inventory', type: 'ReserveStock', aggregateId: sku, data: { sku, orderId, quantity } });
export const release = (sku: string) => ({ target: 'inventory', type: 'ReleaseStock', aggregateId: sku, data: { sku, orderId } });
export const authorize = (card: { cardToken?: string } = { cardToken }) => ({
  target: 'payments',
  type: 'AuthorizePayment',
  aggregateId: orderId,
  data: { orderId, amountCents: totalCents, ...card },
});
export const voidPayment = { target: 'payments', type: 'VoidPayment', aggregateId: orderId, data: { orderId } };
export const schedule = { target: 'shipping', type: 'ScheduleShipment', aggregateId: orderId, data: { orderId, address: shipTo, lines } };
export const confirm = { target: 'orders', type: 'ConfirmOrder', aggregateId: orderId, data: { orderId } };
export const capture = { target: 'payments', type: 'CapturePayment', aggregateId: orderId, data: { orderId } };
export const reject = (reason: string) => ({ target: 'orders', type: 'RejectOrder', aggregateId: orderId, data: { orderId, reason } });
