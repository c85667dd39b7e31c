// The order the five-step flow's definition specs (v2, v2-cancel, v3) walk through (two
// lines, paid with a card, shipped to Berlin), and the replies and commands of its conversation.
import { cancellation, reply } from '@ordo/saga';
import type { OrderPlacementData } from '../src/first-steps';

export const orderId = '6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c';
export const at = '2030-01-01T00:00:00.000Z';
export const shipTo = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
export const lines = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];
export const order: OrderPlacementData = { orderId, lines, totalCents: 4499, shipTo, cardToken: 'tok_visa' };

// ---- replies, as inventory, payments, shipping and orders record them ----
export const reserved = (sku: string) => reply({ step: 'reserveStock', line: sku }, 'StockReserved', { sku, orderId, quantity: 1, at });
export const released = (sku: string) => reply({ step: 'reserveStock', line: sku, kind: 'compensation' }, 'StockReleased', { sku, orderId, quantity: 1, at });
export const authorized = reply({ step: 'authorizePayment' }, 'PaymentAuthorized', {
  orderId,
  authorizationId: 'auth-1',
  amountCents: 4499,
  currency: 'EUR',
  at,
});
export const declined = reply({ step: 'authorizePayment' }, 'PaymentDeclined', { orderId, amountCents: 4499, currency: 'EUR', reason: 'card declined', at });
export const voided = reply({ step: 'authorizePayment', kind: 'compensation' }, 'PaymentVoided', { orderId, authorizationId: 'auth-1', amountCents: 4499, at });
export const scheduled = reply({ step: 'scheduleShipment' }, 'ShipmentScheduled', { orderId, shipmentId: 'ship-1', address: shipTo, lines, at });
export const refused = reply({ step: 'scheduleShipment' }, 'ShipmentRefused', { orderId, reason: 'shipping does not serve AQ', at });
export const confirmed = reply({ step: 'confirmOrder' }, 'OrderConfirmed', { orderId, at });
export const captured = reply({ step: 'capturePayment' }, 'PaymentCaptured', { orderId, authorizationId: 'auth-1', captureId: 'cap-1', amountCents: 4499, at });
export const captureFailed = reply({ step: 'capturePayment' }, 'PaymentCaptureFailed', { orderId, reason: 'the authorization expired', at });
export const orderRejected = (reason: string) => reply({ step: 'order', kind: 'compensation' }, 'OrderRejected', { orderId, reason, at });
export const cancelled = cancellation('OrderCancellationRequested', { orderId, reason: 'ordered the wrong size', by: 'customer-a', at });

// ---- commands, as the participants receive them ----
export const release = (sku: string) => ({ target: 'inventory', type: 'ReleaseStock', aggregateId: sku, data: { sku, orderId } });
export const voidPayment = { target: 'payments', type: 'VoidPayment', aggregateId: orderId, data: { orderId } };
export const schedule = { target: 'shipping', type: 'ScheduleShipment', aggregateId: orderId, data: { orderId, address: shipTo, lines } };
export const confirm = { target: 'orders', type: 'ConfirmOrder', aggregateId: orderId, data: { orderId } };
export const reject = (reason: string) => ({ target: 'orders', type: 'RejectOrder', aggregateId: orderId, data: { orderId, reason } });
export const cancelShipment = (reason: string) => ({ target: 'shipping', type: 'CancelShipment', aggregateId: orderId, data: { orderId, reason } });
