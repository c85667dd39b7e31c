// The order both of version 2's definition specs (v2, v2-cancel) walk through: two lines,
// paid with a card, shipped to Berlin.
import type { OrderPlacementData } from '../src/first-steps';

export const orderId = '6f1c2a4e-9b7d-4c1e-8a2f-3d5e7f9a1b2c';
export const at = '2030-01-01T00:00:00.000Z';
export const shipTo = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
export const lines = [
  { sku: 'SKU-1', quantity: 2 },
  { sku: 'SKU-2', quantity: 1 },
];
export const order: OrderPlacementData = { orderId, lines, totalCents: 4499, shipTo, cardToken: 'tok_visa' };
