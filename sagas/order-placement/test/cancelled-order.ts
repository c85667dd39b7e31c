// The confirmed order the cancellation saga's definition specs (cancellation,
// cancellation-versions) cancel, and the replies and commands both use.
import { reply } from '@ordo/saga';
import type { OrderCancellationData } from '../src/cancellation';

export const orderId = '6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c';
export const at = '2030-01-01T00:00:00.000Z';
export const reason = 'ordered the wrong size';
export const lines = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];
export const cancellation: OrderCancellationData = { orderId, reason, lines };

// ---- replies ----
export const shipmentCancelled = reply({ step: 'cancelShipment' }, 'ShipmentCancelled', { orderId, shipmentId: 'ship-1', reason, wasScheduled: true, at });
export const DISPATCHED = 'the shipment was dispatched at 2030-01-01T00:00:00.000Z: it can no longer be cancelled';
export const cancellationRefused = reply({ step: 'cancelShipment' }, 'ShipmentCancellationRefused', { orderId, shipmentId: 'ship-1', reason: DISPATCHED, at });

// ---- commands ----
export const cancelShipment = { target: 'shipping', type: 'CancelShipment', aggregateId: orderId, data: { orderId, reason } };
export const release = (sku: string) => ({ target: 'inventory', type: 'ReleaseStock', aggregateId: sku, data: { sku, orderId } });
